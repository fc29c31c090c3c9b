using System.Diagnostics.Metrics;

namespace Lamina.Gateway.Tests.Fakes;

/// <summary>
/// Every measurement recorded on the meters of one <see cref="IMeterFactory"/> (a meter's scope is the
/// factory that made it), so tests running in parallel, each with its own factory, never see each
/// other's measurements.
/// </summary>
internal sealed class RecordingMeterListener : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<RecordedMeasurement> _measurements = [];
    private readonly MeterListener _listener = new();

    public RecordingMeterListener(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
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
internal sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);
