using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lamina.Metrics.Tests;

/// <summary>Each test owns a meter with a unique name and an exporter listening to that meter only, so tests running in parallel never see each other's metrics.</summary>
internal static class TestExporters
{
    public static Meter NewMeter() => new($"Lamina.Tests.{Guid.NewGuid():N}");

    public static PrometheusExporter For(Meter meter, Action<PrometheusExporterOptions>? configure = null)
    {
        var options = new PrometheusExporterOptions();
        options.MeterNames.Add(meter.Name);
        configure?.Invoke(options);
        return new PrometheusExporter(Options.Create(options), NullLogger<PrometheusExporter>.Instance);
    }
}
