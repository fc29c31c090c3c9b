using System.Diagnostics.Metrics;

namespace Lamina.RuntimeShim.Tests.Fakes;

/// <summary>
/// Every measurement recorded on one <see cref="Meter"/> instance (not every meter of the name), so
/// tests running in parallel, each with its own meter, never see each other's measurements.
/// </summary>
internal sealed class RecordingMeterListener : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<RecordedMeasurement> _measurements = [];
    private readonly MeterListener _listener = new();

    public RecordingMeterListener(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The measurements of one instrument, in the order they were recorded.</summary>
    public IReadOnlyList<RecordedMeasurement> Of(string instrument)
    {
        lock (_gate)
        {
            return [.. _measurements.Where(m => m.Instrument == instrument)];
        }
    }

    /// <summary>The sum of one instrument's measurements whose tags include every given tag.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Of(instrument).Where(m => tags.All(t => m.Tags.TryGetValue(t.Key, out var value) && value == t.Value)).Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new Dictionary<string, string?>(StringComparer.Ordinal);
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

/// <summary>One measurement: the instrument, the value and its tags.</summary>
internal sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);
