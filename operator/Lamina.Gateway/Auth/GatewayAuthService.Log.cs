namespace Lamina.Gateway.Auth;

/// <summary>The authentication service's log messages.</summary>
internal sealed partial class GatewayAuthService
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "AUTHENTICATION IS OFF (--auth=none): anyone who can reach the gateway may invoke every function in every namespace; bare names resolve in {Namespace}. For local development only: never expose this gateway.")]
    private partial void LogAuthenticationOff(string @namespace);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "SigV4 authentication: {Keys} access keys loaded from Secrets labelled lamina.dev/access-key=true in {Where}")]
    private partial void LogKeysLoaded(int keys, string where);
}
