namespace Lamina.Gateway.Invoke;

internal sealed partial class EventEnqueuer
{
    // EventId 5 of the invoke handler's category (InvokeHandler.Log.cs has 2 to 4).
    [LoggerMessage(5, LogLevel.Error, "Event invocation of {Namespace}.{Function} request {RequestId} not queued: Redis did not store it")]
    private static partial void LogNotQueued(ILogger logger, Exception exception, string @namespace, string function, string requestId);
}
