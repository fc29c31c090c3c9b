namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>The leader discovery's log messages.</summary>
internal sealed partial class LeaderDiscovery
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "No concurrency controller leader yet: Lease {Namespace}/{Lease} is held by '{Holder}', which announces no address")]
    private static partial void LogNoLeader(ILogger logger, string @namespace, string lease, string holder);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning, Message = "Cannot read Lease {Namespace}/{Lease} to find the concurrency controller: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string @namespace, string lease, string reason);
}
