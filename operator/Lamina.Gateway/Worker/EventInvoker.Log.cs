namespace Lamina.Gateway.Worker;

/// <summary>The event invoker's log messages (request ids, never payloads).</summary>
internal sealed partial class EventInvoker
{
    [LoggerMessage(EventId = 130, Level = LogLevel.Error, Message = "Async event {RequestId} of {Namespace}/{Function}: the worker failed while invoking it; retried as a system error")]
    private partial void LogInvokeFailed(Exception exception, string @namespace, string function, string requestId);
}
