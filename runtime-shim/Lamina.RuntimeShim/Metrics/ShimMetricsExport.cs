using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Lamina.RuntimeShim.Metrics;

/// <summary>
/// The OpenTelemetry SDK collecting <see cref="ShimMetrics"/>' meter for the Prometheus exporter,
/// which writes /metrics when it is scraped (<see cref="Admin.AdminHandler"/>). Pull only: the shim
/// runs in every function pod and Prometheus scrapes it there; pushing OTLP from each of them would
/// add a connection and a timer per environment for nothing the scrape does not already give.
/// </summary>
internal static class ShimMetricsExport
{
    // Lambda durations run from milliseconds to 15 minutes.
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

    // Series per instrument: one identity and at most three values of its one extra label (restart
    // reasons). The SDK sizes every metric's storage for its limit, 2000 points by default: 1.4 MB
    // more anonymous memory in the idle shim (10.0 against 8.65 MB, three alternating runs each).
    private const int CardinalityLimit = 16;

    public static MeterProvider CreateMeterProvider() => Sdk.CreateMeterProviderBuilder()
        // The environment belongs to the function: OTEL_* variables meant for its own SDK (OTEL_SDK_DISABLED,
        // OTEL_RESOURCE_ATTRIBUTES, exemplar filters …) must not switch off or reshape the shim's metrics.
        .ConfigureServices(services => services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build()))
        .AddMeter(ShimMetrics.MeterName)
        .AddView(View)
        .AddPrometheusExporter(Configure)
        .Build();

    /// <summary>Explicit buckets for the two histograms; a small cardinality limit for every instrument.</summary>
    private static MetricStreamConfiguration View(Instrument instrument) => instrument.Name is ShimMetrics.DurationName or ShimMetrics.InitDurationName
        ? new ExplicitBucketHistogramConfiguration { Boundaries = DurationBuckets, CardinalityLimit = CardinalityLimit }
        : new MetricStreamConfiguration { CardinalityLimit = CardinalityLimit };

    /// <summary>The page docs/runtime-shim.md documents: our names as they are, our labels only.</summary>
    private static void Configure(PrometheusAspNetCoreOptions exporter)
    {
        // Every scrape sees the counts as they are now (a test reads right after an invocation); one
        // Prometheus scrapes one shim every few seconds, so there is nothing to save by caching.
        exporter.ScrapeResponseCacheDurationMilliseconds = 0;
        // No otel_scope_name/otel_scope_version labels on every series, and no target_info family:
        // namespace and function are the identity; the pod's own labels come from the scrape config.
        exporter.ScopeInfoEnabled = false;
        exporter.TargetInfoEnabled = false;
    }
}
