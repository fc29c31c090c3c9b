using System.Diagnostics.Metrics;

namespace Lamina.Testing;

/// <summary>
/// Every measurement recorded on the meters a test owns: one <see cref="Meter"/> instance, or every
/// meter one <see cref="IMeterFactory"/> made (a meter's scope is its factory). Never every meter of
/// a name, so tests running in parallel never see each other's measurements.
/// </summary>
public sealed class RecordingMeterListener : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<RecordedMeasurement> _measurements = [];
    private readonly MeterListener _listener = new();

    /// <summary>Listens to the instruments of <paramref name="meter"/> only.</summary>
    public RecordingMeterListener(Meter meter)
        : this(instrument => ReferenceEquals(instrument.Meter, meter))
    {
    }

    /// <summary>Listens to the instruments of every meter <paramref name="factory"/> made.</summary>
    public RecordingMeterListener(IMeterFactory factory)
        : this(instrument => ReferenceEquals(instrument.Meter.Scope, factory))
    {
    }

    private RecordingMeterListener(Func<Instrument, bool> owned)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (owned(instrument))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every measurement, in the order they were recorded.</summary>
    public IReadOnlyList<RecordedMeasurement> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _measurements];
            }
        }
    }

    /// <summary>The measurements of one instrument, in the order they were recorded.</summary>
    public IReadOnlyList<RecordedMeasurement> Of(string instrument) => [.. All.Where(m => m.Instrument == instrument)];

    /// <summary>The sum of one instrument's measurements whose tags include every given tag.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Of(instrument).Where(m => tags.All(t => m.Tags.TryGetValue(t.Key, out var value) && value == t.Value)).Sum(m => m.Value);

    /// <summary>Reads every observable instrument (gauges) now, recording what they report.</summary>
    public void RecordObservableInstruments() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copied[tag.Key] = tag.Value?.ToString();
        }

        lock (_gate)
        {
            _measurements.Add(new RecordedMeasurement(instrument.Name, value, copied));
        }
    }
}

/// <summary>One measurement: the instrument, the value and its tags (sorted by key).</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);
