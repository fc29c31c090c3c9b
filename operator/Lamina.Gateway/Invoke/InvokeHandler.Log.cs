namespace Lamina.Gateway.Invoke;

internal sealed partial class InvokeHandler
{
    // EventId 5 is EventEnqueuer's, logged in this category (EventEnqueuer.Log.cs).
    [LoggerMessage(2, LogLevel.Information, "denied: {Caller} may not invoke in namespace {Namespace} (function {Function})")]
    private static partial void LogDenied(ILogger logger, string caller, string @namespace, string function);

    [LoggerMessage(3, LogLevel.Information, "abandoned {Namespace}.{Function} request {RequestId} by {Caller}: the caller disconnected")]
    private static partial void LogAbandoned(ILogger logger, string caller, string @namespace, string function, string requestId);

    [LoggerMessage(4, LogLevel.Error, "invoke {Namespace}.{Function} request {RequestId} failed in the gateway")]
    private static partial void LogFailed(ILogger logger, Exception exception, string @namespace, string function, string requestId);
}
