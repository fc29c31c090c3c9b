using System.Diagnostics.Metrics;

namespace Lamina.Testing;

/// <summary>
/// Meters scoped to one test (their <see cref="Meter.Scope"/> is this factory), so a
/// <see cref="RecordingMeterListener"/> on it never sees another test's instruments.
/// </summary>
public sealed class ScopedMeterFactory : IMeterFactory
{
    private readonly Lock _gate = new();
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        lock (_gate)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}
