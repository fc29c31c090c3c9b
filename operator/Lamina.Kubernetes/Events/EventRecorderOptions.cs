namespace Lamina.Kubernetes.Events;

/// <summary>Who reports Events, and how they are aggregated and queued.</summary>
public sealed class EventRecorderOptions
{
    /// <summary>
    /// client-go's aggregation interval (<c>defaultAggregateIntervalInSeconds</c>): the same event
    /// again within 10 minutes of its last occurrence bumps the count instead of adding an Event.
    /// </summary>
    public static readonly TimeSpan DefaultAggregationWindow = TimeSpan.FromMinutes(10);

    /// <summary>client-go's cache size (<c>maxLruCacheEntries</c>): about a megabyte at most.</summary>
    public const int DefaultCacheSize = 4096;

    /// <summary>
    /// client-go's queue length (<c>maxQueuedEvents</c>): events beyond it, while the API server
    /// is slow or away, are dropped and counted rather than held in memory without bound.
    /// </summary>
    public const int DefaultQueueCapacity = 1000;

    /// <summary>The reporting component: <c>source.component</c> and <c>reportingComponent</c>.</summary>
    public string Component { get; set; } = "lamina-operator";

    /// <summary>This replica: <c>reportingInstance</c>. The pod name (POD_NAME), else the host name.</summary>
    public string Instance { get; set; } = DefaultInstance();

    /// <summary>The node, for <c>source.host</c>; omitted when null.</summary>
    public string? Host { get; set; }

    /// <inheritdoc cref="DefaultAggregationWindow"/>
    public TimeSpan AggregationWindow { get; set; } = DefaultAggregationWindow;

    /// <inheritdoc cref="DefaultCacheSize"/>
    public int CacheSize { get; set; } = DefaultCacheSize;

    /// <inheritdoc cref="DefaultQueueCapacity"/>
    public int QueueCapacity { get; set; } = DefaultQueueCapacity;

    private static string DefaultInstance()
    {
        var pod = Environment.GetEnvironmentVariable("POD_NAME");
        return string.IsNullOrEmpty(pod) ? Environment.MachineName : pod;
    }
}
