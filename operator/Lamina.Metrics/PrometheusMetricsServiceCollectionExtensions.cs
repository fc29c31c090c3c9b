using Lamina.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Lamina's Prometheus exporter.</summary>
public static class PrometheusMetricsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the exporter as <see cref="IMetricsExporter"/>, listening from host start to the meters
    /// <paramref name="configure"/> names. Serve it with <c>MapPrometheusMetrics</c>.
    /// </summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services, Action<PrometheusExporterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<PrometheusExporterOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PrometheusExporterOptions>, PrometheusExporterOptionsValidator>());
        services.TryAddSingleton<PrometheusExporter>();
        services.TryAddSingleton<IMetricsExporter>(static provider => provider.GetRequiredService<PrometheusExporter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PrometheusExporterStarter>());
        return services;
    }
}
