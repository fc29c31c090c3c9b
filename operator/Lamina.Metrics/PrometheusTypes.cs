namespace Lamina.Metrics;

/// <summary>The <c># TYPE</c> names of the metric types the exporter writes.</summary>
internal static class PrometheusTypes
{
    public const string Counter = "counter";

    public const string Gauge = "gauge";

    public const string Histogram = "histogram";
}
