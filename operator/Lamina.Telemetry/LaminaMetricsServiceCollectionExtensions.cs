using System.Diagnostics.Metrics;
using Lamina.Telemetry;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The one place where the operator and the gateway hand their System.Diagnostics.Metrics
/// instruments to the OpenTelemetry SDK: every meter named <c>Lamina.*</c>, pulled by Prometheus
/// on <c>/metrics</c> (<c>MapLaminaMetrics</c>) and pushed by OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. docs/metrics.md says what that means for the series.
/// </summary>
public static class LaminaMetricsServiceCollectionExtensions
{
    /// <summary>Prometheus client libraries' default buckets, for a histogram that advises none (OpenTelemetry's run to 10 000, made for milliseconds).</summary>
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>
    /// Exports every <c>Lamina.*</c> meter as <paramref name="serviceName"/> (<c>lamina-gateway</c>).
    /// OTLP push is on when <paramref name="configuration"/> has <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
    /// (the environment variable, or <c>--OTEL_EXPORTER_OTLP_ENDPOINT=</c>), validated on start;
    /// the exporter reads the other standard <c>OTEL_*</c> variables itself.
    /// </summary>
    public static IServiceCollection AddLaminaMetrics(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var otlpEndpoint = configuration[LaminaMetricsOptions.OtlpEndpointVariable];
        services.AddMetrics(); // the host's IMeterFactory, whose meters are this host's
        services.AddOptions<LaminaMetricsOptions>()
            .Configure(o => o.OtlpEndpoint = otlpEndpoint)
            .Validate(LaminaMetricsOptions.IsValid, LaminaMetricsOptions.InvalidEndpointMessage)
            .ValidateOnStart();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("Lamina.*");
                metrics.AddPrometheusExporter(prometheus =>
                {
                    // The documented series, nothing more: no otel_scope_* labels, no target_info
                    // (the resource travels with OTLP), and every scrape reads the values now.
                    prometheus.ScopeInfoEnabled = false;
                    prometheus.TargetInfoEnabled = false;
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                });
                if (!string.IsNullOrEmpty(otlpEndpoint))
                {
                    metrics.AddOtlpExporter();
                }
            });
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) => metrics.AddView(View(provider.GetRequiredService<IMeterFactory>())));
        return services;
    }

    private static Func<Instrument, MetricStreamConfiguration?> View(IMeterFactory ownFactory) => instrument => instrument switch
    {
        // A meter made by another host's factory belongs to that host (tests run several hosts in
        // one process); meters made with `new Meter` stay exported.
        { Meter.Scope: IMeterFactory factory } when !ReferenceEquals(factory, ownFactory) => MetricStreamConfiguration.Drop,
        Histogram<double> histogram => new ExplicitBucketHistogramConfiguration
        {
            Boundaries = histogram.Advice?.HistogramBucketBoundaries is { } advised ? [.. advised] : DefaultBuckets,
        },
        _ => null,
    };
}
