namespace Lamina.Gateway.Auth;

/// <summary>The authenticator's log messages.</summary>
internal sealed partial class SigV4Authenticator
{
    [LoggerMessage(EventId = 30, Level = LogLevel.Debug, Message = "Signature mismatch for access key {AccessKeyId}; the canonical request the gateway computed (header values elided): {CanonicalRequest}")]
    private partial void LogSignatureMismatch(string accessKeyId, string canonicalRequest);
}
