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

    public static MeterProvider CreateMeterProvider() => Sdk.CreateMeterProviderBuilder()
        // The environment belongs to the function: OTEL_* variables meant for its own SDK (OTEL_SDK_DISABLED,
        // OTEL_RESOURCE_ATTRIBUTES, exemplar filters …) must not switch off or reshape the shim's metrics.
        .ConfigureServices(services => services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build()))
        .AddMeter(ShimMetrics.MeterName)
        .AddView(ShimMetrics.DurationName, new ExplicitBucketHistogramConfiguration { Boundaries = DurationBuckets })
        .AddView(ShimMetrics.InitDurationName, new ExplicitBucketHistogramConfiguration { Boundaries = DurationBuckets })
        .AddPrometheusExporter(Configure)
        .Build();

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
