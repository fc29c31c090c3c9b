using System.Diagnostics.Metrics;

namespace Lamina.Kubernetes.Tests.Informers;

/// <summary>
/// Meters scoped to one test (their <see cref="Meter.Scope"/> is this factory), with the sums
/// of every counter they record, so parallel tests never see each other's measurements.
/// </summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly Lock _gate = new();
    private readonly List<Meter> _meters = [];
    private readonly Dictionary<(string Instrument, string? Resource), long> _sums = [];
    private readonly MeterListener _listener = new();

    public TestMeterFactory()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, this))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? resource = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "resource")
                {
                    resource = tag.Value as string;
                }
            }

            lock (_gate)
            {
                _sums[(instrument.Name, resource)] = _sums.GetValueOrDefault((instrument.Name, resource)) + value;
            }
        });
        _listener.Start();
    }

    public long Sum(string instrument, string resource)
    {
        lock (_gate)
        {
            return _sums.GetValueOrDefault((instrument, resource));
        }
    }

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
        _listener.Dispose();
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
