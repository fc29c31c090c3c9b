using Microsoft.Extensions.Hosting;

namespace Lamina.Metrics;

/// <summary>
/// Creates the exporter when the host starts, so its listener records from the start rather than
/// from the first scrape (measurements made before a listener exists are not kept anywhere).
/// </summary>
internal sealed class PrometheusExporterStarter(PrometheusExporter exporter) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(exporter);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
