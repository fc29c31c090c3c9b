namespace Lamina.Gateway.Worker;

/// <summary>The running set's log messages (EventIds in <see cref="AsyncWorker"/>'s block).</summary>
internal sealed partial class RunningEvents
{
    [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "Async events of {Namespace}/{Function}: could not refresh the running ones ({Reason}); they may be claimed by another worker if this lasts")]
    private partial void LogRefreshFailed(string @namespace, string function, string reason);
}
