namespace Lamina.Metrics;

/// <summary>
/// The one thing a metrics endpoint needs from an exporter: the exposition of every exported
/// metric, written on demand. Kept this narrow so that replacing Lamina's exporter with an
/// official one (OpenTelemetry's Prometheus exporter) only changes the registration.
/// </summary>
public interface IMetricsExporter
{
    /// <summary>The media type of what <see cref="WriteAsync"/> writes, for the HTTP response.</summary>
    string ContentType { get; }

    /// <summary>Collects the current values (observable instruments are read now) and writes them.</summary>
    Task WriteAsync(Stream destination, CancellationToken cancellationToken);
}
