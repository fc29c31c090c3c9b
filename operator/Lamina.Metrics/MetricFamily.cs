using System.Collections.Concurrent;

namespace Lamina.Metrics;

/// <summary>
/// One Prometheus metric: its name, HELP, TYPE and series, shared by every instrument that carries
/// the name (two meters may each create <c>lamina_invocations_total</c>). Recording looks a
/// series up by the caller's tags without allocating once those tags have been seen.
/// </summary>
internal sealed class MetricFamily
{
    /// <summary>The label set measurements beyond <see cref="PrometheusExporterOptions.MaxSeriesPerMetric"/> go to.</summary>
    public const string OverflowLabels = "overflow=\"true\"";

    // Tags in the caller's order → series; the fast path. Several orders of the same tags alias one series.
    private readonly ConcurrentDictionary<TagSetKey, MetricSeries> _byTags = new(TagSetKeyComparer.Instance);
    private readonly ConcurrentDictionary<TagSetKey, MetricSeries>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _byTagSpan;

    // Rendered (sorted) label set → series: the series themselves, one per Prometheus label set.
    private readonly ConcurrentDictionary<string, MetricSeries> _byLabels = new(StringComparer.Ordinal);
    private readonly int _maxSeries;
    private readonly Action<MetricFamily> _onOverflow;

    // A Prometheus counter only goes up; Counter<T> documents negative values as invalid.
    private readonly bool _monotonic;
    private MetricSeries? _unlabeled;
    private int _overflowReported;

    public MetricFamily(string name, string? help, string type, MetricAggregation aggregation, bool observable, double[] bounds, int maxSeries, Action<MetricFamily> onOverflow)
    {
        Name = name;
        Help = string.IsNullOrEmpty(help) ? null : help;
        Type = type;
        Aggregation = aggregation;
        IsObservable = observable;
        Bounds = bounds;
        _maxSeries = maxSeries;
        _onOverflow = onOverflow;
        _monotonic = type == PrometheusTypes.Counter && aggregation == MetricAggregation.Sum;
        _byTagSpan = _byTags.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    public string Name { get; }

    public string? Help { get; }

    /// <summary><c>counter</c>, <c>gauge</c> or <c>histogram</c>.</summary>
    public string Type { get; }

    public MetricAggregation Aggregation { get; }

    /// <summary>Read at scrape time through callbacks; its series are forgotten before each collection.</summary>
    public bool IsObservable { get; }

    /// <summary>Histogram bucket upper bounds without +Inf; empty for other metrics.</summary>
    public double[] Bounds { get; }

    /// <summary>Instruments currently recording into this metric.</summary>
    public int Instruments { get; set; }

    /// <summary>Whether an instrument of this shape may share the metric (same type, aggregation, buckets).</summary>
    public bool Accepts(string type, MetricAggregation aggregation, bool observable, double[] bounds) =>
        Type == type && Aggregation == aggregation && IsObservable == observable && Bounds.AsSpan().SequenceEqual(bounds);

    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (Aggregation)
        {
            case MetricAggregation.Sum when _monotonic && value < 0:
                return;
            case MetricAggregation.Sum:
                SeriesFor(tags).Add(value);
                return;
            case MetricAggregation.LastValue:
                SeriesFor(tags).Set(value);
                return;
            default:
                SeriesFor(tags).Observe(value, Bounds);
                return;
        }
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (Aggregation)
        {
            case MetricAggregation.Sum when _monotonic && !(value >= 0):
                return; // negative or NaN
            case MetricAggregation.Sum:
                SeriesFor(tags).Add(value);
                return;
            case MetricAggregation.LastValue:
                SeriesFor(tags).Set(value);
                return;
            default:
                SeriesFor(tags).Observe(value, Bounds);
                return;
        }
    }

    /// <summary>Forgets every series; observable metrics start each scrape from what the callbacks report now.</summary>
    public void Reset()
    {
        _byTags.Clear();
        _byLabels.Clear();
        _unlabeled = null;
    }

    /// <summary>The series, sorted by label set so the exposition is stable.</summary>
    public List<MetricSeries> Snapshot()
    {
        var series = new List<MetricSeries>(_byLabels.Count);
        foreach (var (_, value) in _byLabels)
        {
            series.Add(value);
        }

        series.Sort(static (x, y) => string.CompareOrdinal(x.Labels, y.Labels));
        return series;
    }

    private MetricSeries SeriesFor(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return _unlabeled ??= GetOrAddSeries("");
        }

        return _byTagSpan.TryGetValue(tags, out var series) ? series : AddSeries(tags);
    }

    /// <summary>The slow path, once per new tag combination: render the label set, find or create its series.</summary>
    private MetricSeries AddSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = PrometheusText.Labels(tags, Aggregation == MetricAggregation.Histogram ? "le" : null);
        if (!_byLabels.TryGetValue(labels, out var series))
        {
            if (_byLabels.Count >= _maxSeries)
            {
                if (Interlocked.Exchange(ref _overflowReported, 1) == 0)
                {
                    _onOverflow(this);
                }

                // Not cached by tags: caching every unbounded tag combination is the leak the limit prevents.
                return GetOrAddSeries(OverflowLabels);
            }

            series = GetOrAddSeries(labels);
        }

        _byTagSpan.TryAdd(tags, series);
        return series;
    }

    private MetricSeries GetOrAddSeries(string labels) =>
        _byLabels.GetOrAdd(labels, static (key, bucketCount) => new MetricSeries(key, bucketCount), Aggregation == MetricAggregation.Histogram ? Bounds.Length + 1 : 0);
}
