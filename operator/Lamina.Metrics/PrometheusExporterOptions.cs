namespace Lamina.Metrics;

/// <summary>Which meters the Prometheus exporter listens to, and how it aggregates.</summary>
public sealed class PrometheusExporterOptions
{
    /// <summary>
    /// Prometheus client libraries' default buckets, tuned for request latencies in seconds.
    /// Lamina's metric names carry their unit (<c>_seconds</c>); a histogram that needs another
    /// range says so through <c>InstrumentAdvice&lt;T&gt;.HistogramBucketBoundaries</c>.
    /// </summary>
    public static IReadOnlyList<double> PrometheusDefaultBoundaries { get; } =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>
    /// OpenTelemetry's default cardinality limit: enough for every function of a large
    /// installation, small enough that a label fed with unbounded values (a request id) cannot
    /// exhaust the process's memory.
    /// </summary>
    public const int DefaultMaxSeriesPerMetric = 2000;

    /// <summary>Meters exported by exact name, e.g. <c>Lamina.Gateway</c>.</summary>
    public IList<string> MeterNames { get; } = [];

    /// <summary>Meters exported by name prefix, e.g. <c>Lamina</c> for every Lamina meter.</summary>
    public IList<string> MeterNamePrefixes { get; } = [];

    /// <summary>Histogram buckets (upper bounds, ascending, without +Inf) when the instrument gives no advice.</summary>
    public IReadOnlyList<double> DefaultHistogramBoundaries { get; set; } = PrometheusDefaultBoundaries;

    /// <summary>
    /// Label sets kept per metric; measurements with further label sets are added to one series
    /// labelled <c>overflow="true"</c> and a warning is logged once.
    /// </summary>
    public int MaxSeriesPerMetric { get; set; } = DefaultMaxSeriesPerMetric;
}
