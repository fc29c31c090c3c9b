namespace Lamina.Metrics;

/// <summary>How the measurements of one series combine.</summary>
internal enum MetricAggregation
{
    /// <summary>Measurements add up (Counter, UpDownCounter).</summary>
    Sum,

    /// <summary>The latest measurement wins (Gauge and every observable instrument, whose callbacks report totals).</summary>
    LastValue,

    /// <summary>Measurements are counted into buckets and summed (Histogram).</summary>
    Histogram,
}
