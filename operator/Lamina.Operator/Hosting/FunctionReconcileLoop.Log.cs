namespace Lamina.Operator.Hosting;

/// <summary>The controller's log messages.</summary>
internal sealed partial class FunctionReconcileLoop
{
    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "Caches synced: {Functions} functions")]
    private partial void LogSynced(int functions);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "The active operator is {Leader}")]
    private partial void LogNewLeader(string leader);

    [LoggerMessage(EventId = 52, Level = LogLevel.Warning, Message = "Reconciling {Function} failed (retry {Retry}); retrying with backoff")]
    private partial void LogReconcileFailed(string function, int retry, Exception error);
}
