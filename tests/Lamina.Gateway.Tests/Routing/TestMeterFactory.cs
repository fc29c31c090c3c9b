using System.Diagnostics.Metrics;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>
/// Meters scoped to one test (their <see cref="Meter.Scope"/> is this factory), with every
/// measurement they record and, on <see cref="Observe"/>, what their observable gauges say now.
/// </summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly Lock _gate = new();
    private readonly List<Meter> _meters = [];
    private readonly List<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = [];
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
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The gauge's value for one function now; null when it reports no such series.</summary>
    public double? Observe(string instrument, string ns, string function)
    {
        lock (_gate)
        {
            _measurements.RemoveAll(m => m.Instrument == instrument);
        }

        _listener.RecordObservableInstruments();
        return Recorded(instrument, ns, function).Select(v => (double?)v).LastOrDefault();
    }

    /// <summary>Every value recorded on the instrument with these labels, in order.</summary>
    public IReadOnlyList<double> Recorded(string instrument, string ns, string function)
    {
        lock (_gate)
        {
            return [.. _measurements
                .Where(m => m.Instrument == instrument && m.Tags.GetValueOrDefault("namespace") == ns && m.Tags.GetValueOrDefault("function") == function)
                .Select(m => m.Value)];
        }
    }

    /// <summary>The label names of every measurement of the instrument.</summary>
    public IReadOnlyList<string> LabelNames(string instrument)
    {
        lock (_gate)
        {
            return [.. _measurements.Where(m => m.Instrument == instrument).SelectMany(m => m.Tags.Keys).Distinct().Order(StringComparer.Ordinal)];
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

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copied[tag.Key] = tag.Value?.ToString();
        }

        lock (_gate)
        {
            _measurements.Add((instrument.Name, value, copied));
        }
    }
}
