namespace Lamina.Gateway.Async;

/// <summary>The event invoker's log messages (request ids, never payloads).</summary>
internal sealed partial class EventInvoker
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Async event {RequestId} of {Namespace}/{Function}: the gateway failed while invoking it; retried as a system error")]
    private partial void LogInvokeFailed(Exception exception, string @namespace, string function, string requestId);
}
