using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Lamina.Testing;

/// <summary>
/// One <see cref="MetricCollector{T}"/> (Microsoft.Extensions.Diagnostics.Testing) for every
/// instrument of the meters a test owns: one <see cref="Meter"/> instance, or every meter one
/// <see cref="IMeterFactory"/> made (a meter's scope is its factory; <see cref="TestMeters.Factory"/>
/// makes one per test). Never every meter of a name, so tests running in parallel never see each
/// other's measurements. The collectors record; this type only finds the instruments as they are
/// published and answers across them, so a test names an instrument without knowing its type.
/// </summary>
public sealed class MetricCollectors : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(string Instrument, ICollector Collector)> _collectors = [];
    private readonly MeterListener _published = new();

    /// <summary>Collects the instruments of <paramref name="meter"/> only.</summary>
    public MetricCollectors(Meter meter)
        : this(instrument => ReferenceEquals(instrument.Meter, meter))
    {
    }

    /// <summary>Collects the instruments of every meter <paramref name="factory"/> made.</summary>
    public MetricCollectors(IMeterFactory factory)
        : this(instrument => ReferenceEquals(instrument.Meter.Scope, factory))
    {
    }

    private MetricCollectors(Func<Instrument, bool> owned)
    {
        // Only to learn of instruments: it enables none, so it records nothing itself.
        _published.InstrumentPublished = (instrument, _) =>
        {
            if (owned(instrument) && Collect(instrument) is { } collector)
            {
                lock (_gate)
                {
                    _collectors.Add((instrument.Name, collector));
                }
            }
        };
        _published.Start();
    }

    private interface ICollector : IDisposable
    {
        IEnumerable<(DateTimeOffset At, double Value, IReadOnlyDictionary<string, object?> Tags)> Snapshot();

        void RecordObservableInstruments();

        void Clear();
    }

    /// <summary>Every measurement, in the order they were recorded.</summary>
    public IReadOnlyList<RecordedMeasurement> All => Measurements(_ => true);

    /// <summary>The measurements of one instrument, in the order they were recorded.</summary>
    public IReadOnlyList<RecordedMeasurement> Of(string instrument) => Measurements(name => name == instrument);

    /// <summary>The sum of one instrument's measurements whose tags include every given tag.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Of(instrument).Where(m => Matches(m, tags)).Sum(m => m.Value);

    /// <summary>Every value recorded on the instrument whose tags include every given tag, in order.</summary>
    public IReadOnlyList<double> Recorded(string instrument, params (string Key, string Value)[] tags) =>
        [.. Of(instrument).Where(m => Matches(m, tags)).Select(m => m.Value)];

    /// <summary>The tag (label) names of every measurement of the instrument, sorted.</summary>
    public IReadOnlyList<string> LabelNames(string instrument) =>
        [.. Of(instrument).SelectMany(m => m.Tags.Keys).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Reads every observable instrument (gauges) now, recording what they report.</summary>
    public void RecordObservableInstruments()
    {
        foreach (var collector in Collectors(_ => true))
        {
            collector.RecordObservableInstruments();
        }
    }

    /// <summary>
    /// What an observable instrument reports now for the series with these tags (its last
    /// measurement after a fresh read, earlier reads forgotten); null when it reports no such series.
    /// </summary>
    public double? Observe(string instrument, params (string Key, string Value)[] tags)
    {
        foreach (var collector in Collectors(name => name == instrument))
        {
            collector.Clear();
            collector.RecordObservableInstruments();
        }

        return Of(instrument).Where(m => Matches(m, tags)).Select(m => (double?)m.Value).LastOrDefault();
    }

    public void Dispose()
    {
        _published.Dispose();
        foreach (var collector in Collectors(_ => true))
        {
            collector.Dispose();
        }
    }

    private static bool Matches(RecordedMeasurement measurement, (string Key, string Value)[] tags) =>
        tags.All(t => measurement.Tags.TryGetValue(t.Key, out var value) && value == t.Value);

    private static ICollector? Collect(Instrument instrument) => instrument switch
    {
        Instrument<long> i => new Typed<long>(new MetricCollector<long>(i)),
        Instrument<int> i => new Typed<int>(new MetricCollector<int>(i)),
        Instrument<double> i => new Typed<double>(new MetricCollector<double>(i)),
        ObservableInstrument<long> i => new Typed<long>(new MetricCollector<long>(i)),
        ObservableInstrument<int> i => new Typed<int>(new MetricCollector<int>(i)),
        ObservableInstrument<double> i => new Typed<double>(new MetricCollector<double>(i)),
        _ => null, // no Lamina instrument records another type
    };

    private List<ICollector> Collectors(Func<string, bool> named)
    {
        lock (_gate)
        {
            return [.. _collectors.Where(c => named(c.Instrument)).Select(c => c.Collector)];
        }
    }

    private List<RecordedMeasurement> Measurements(Func<string, bool> named)
    {
        List<(string Instrument, ICollector Collector)> collectors;
        lock (_gate)
        {
            collectors = [.. _collectors.Where(c => named(c.Instrument))];
        }

        return [.. collectors
            .SelectMany(c => c.Collector.Snapshot().Select(m => (c.Instrument, m.At, m.Value, m.Tags)))
            .OrderBy(m => m.At)
            .Select(m => new RecordedMeasurement(m.Instrument, m.Value, Copy(m.Tags)))];
    }

    private static SortedDictionary<string, string?> Copy(IReadOnlyDictionary<string, object?> tags)
    {
        var copied = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copied[tag.Key] = Convert.ToString(tag.Value, CultureInfo.InvariantCulture);
        }

        return copied;
    }

    private sealed class Typed<T>(MetricCollector<T> collector) : ICollector
        where T : struct
    {
        public IEnumerable<(DateTimeOffset At, double Value, IReadOnlyDictionary<string, object?> Tags)> Snapshot() =>
            collector.GetMeasurementSnapshot().Select(m => (m.Timestamp, Convert.ToDouble(m.Value, CultureInfo.InvariantCulture), m.Tags));

        public void RecordObservableInstruments() => collector.RecordObservableInstruments();

        public void Clear() => collector.Clear();

        public void Dispose() => collector.Dispose();
    }
}
