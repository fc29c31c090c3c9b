namespace Lamina.Gateway.Code;

/// <summary>The code endpoint's log messages: EventIds 170-179 (docs/architecture.md), shared with <see cref="CodeFetchAuthorizer"/>.</summary>
internal sealed partial class CodeEndpointHandler
{
    [LoggerMessage(EventId = 170, Level = LogLevel.Warning, Message = "Code endpoint refused sha256:{Digest} in {Namespace} with {Status}: {Reason}")]
    private partial void LogRefused(string @namespace, string digest, int status, string reason);

    [LoggerMessage(EventId = 171, Level = LogLevel.Debug, Message = "Code endpoint served sha256:{Digest} in {Namespace}: {Bytes} bytes")]
    private partial void LogServed(string @namespace, string digest, long bytes);

    [LoggerMessage(EventId = 172, Level = LogLevel.Warning, Message = "Code endpoint: the code store failed opening sha256:{Digest} in {Namespace}; answered 503")]
    private partial void LogStoreFailed(Exception error, string @namespace, string digest);

    [LoggerMessage(EventId = 173, Level = LogLevel.Warning, Message = "Code endpoint: sha256:{Digest} in {Namespace} broke off after {Sent} of {Length} bytes; the connection was cut")]
    private partial void LogStreamFailed(Exception? error, string @namespace, string digest, long sent, long length);

    [LoggerMessage(EventId = 174, Level = LogLevel.Warning, Message = "Code endpoint: no code store is configured; sha256:{Digest} in {Namespace} answered 503")]
    private partial void LogStoreUnconfigured(string @namespace, string digest);

    [LoggerMessage(EventId = 177, Level = LogLevel.Information, Message = "Code endpoint: the code store has no sha256:{Digest} in {Namespace}; answered 404")]
    private partial void LogBlobMissing(string @namespace, string digest);
}
