using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lamina.Metrics;

/// <summary>
/// Listens to the instruments of the configured meters, aggregates their measurements per label
/// set, and writes them in the Prometheus text format 0.0.4. Instruments are named with their
/// Prometheus names and their tags become labels:
/// Counter → counter; UpDownCounter, Gauge, ObservableGauge, ObservableUpDownCounter → gauge;
/// ObservableCounter → counter (its callback reports the total); Histogram → histogram.
/// </summary>
internal sealed partial class PrometheusExporter : IMetricsExporter, IDisposable
{
    private readonly PrometheusExporterOptions _options;
    private readonly ILogger<PrometheusExporter> _logger;
    private readonly MeterListener _listener;
    private readonly Lock _familiesGate = new();
    private readonly Dictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);

    // One scrape at a time: observable metrics are reset and refilled by each collection.
    private readonly Lock _scrapeGate = new();

    public PrometheusExporter(IOptions<PrometheusExporterOptions> options, ILogger<PrometheusExporter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        var validation = new PrometheusExporterOptionsValidator().Validate(null, _options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(PrometheusExporterOptions), typeof(PrometheusExporterOptions), validation.Failures);
        }

        _logger = logger;
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = OnMeasurementsCompleted,
        };
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
        _listener.Start(); // also publishes the instruments that exist already
    }

    public string ContentType => PrometheusText.ContentType;

    public async Task WriteAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var payload = Encoding.UTF8.GetBytes(Scrape());
        await destination.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The exposition as text: observable instruments are read now.</summary>
    public string Scrape()
    {
        lock (_scrapeGate)
        {
            var families = SnapshotFamilies();
            foreach (var family in families)
            {
                if (family.IsObservable)
                {
                    family.Reset();
                }
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException e)
            {
                // The listener calls every callback and throws their exceptions together at the end:
                // the values of the callbacks that worked are there, so write them.
                Log.ObservableCallbackFailed(_logger, e);
            }

            var text = new StringBuilder();
            foreach (var family in families)
            {
                WriteFamily(text, family);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private List<MetricFamily> SnapshotFamilies()
    {
        List<MetricFamily> families;
        lock (_familiesGate)
        {
            families = [.. _families.Values];
        }

        families.Sort(static (x, y) => string.CompareOrdinal(x.Name, y.Name));
        return families;
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!IsExported(instrument.Meter.Name) || Shape(instrument) is not { } shape)
        {
            return;
        }

        var (type, aggregation) = shape;
        var name = PrometheusText.MetricName(instrument.Name);
        var bounds = aggregation == MetricAggregation.Histogram ? HistogramBoundaries.For(instrument, _options.DefaultHistogramBoundaries) : [];
        MetricFamily family;
        lock (_familiesGate)
        {
            if (_families.TryGetValue(name, out var existing))
            {
                if (!existing.Accepts(type, aggregation, instrument.IsObservable, bounds))
                {
                    // Two shapes under one name would make an invalid exposition: the first one stays.
                    Log.InstrumentConflict(_logger, name, instrument.Meter.Name, existing.Type, type);
                    return;
                }

                family = existing;
            }
            else
            {
                family = new MetricFamily(name, instrument.Description, type, aggregation, instrument.IsObservable, bounds, _options.MaxSeriesPerMetric, OnOverflow);
                _families.Add(name, family);
            }

            family.Instruments++;
        }

        listener.EnableMeasurementEvents(instrument, family);
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        if (state is not MetricFamily family)
        {
            return;
        }

        lock (_familiesGate)
        {
            // A metric whose meters are all disposed is no longer exported.
            if (--family.Instruments == 0 && _families.TryGetValue(family.Name, out var current) && current == family)
            {
                _families.Remove(family.Name);
            }
        }
    }

    private void OnOverflow(MetricFamily family) => Log.SeriesLimitReached(_logger, family.Name, _options.MaxSeriesPerMetric);

    private bool IsExported(string meterName)
    {
        foreach (var name in _options.MeterNames)
        {
            if (string.Equals(name, meterName, StringComparison.Ordinal))
            {
                return true;
            }
        }

        foreach (var prefix in _options.MeterNamePrefixes)
        {
            if (meterName.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The Prometheus type and aggregation of an instrument; null for kinds this exporter does not know.</summary>
    private static (string Type, MetricAggregation Aggregation)? Shape(Instrument instrument)
    {
        if (!instrument.GetType().IsGenericType)
        {
            return null;
        }

        var kind = instrument.GetType().GetGenericTypeDefinition();
        if (kind == typeof(Counter<>))
        {
            return (PrometheusTypes.Counter, MetricAggregation.Sum);
        }

        if (kind == typeof(UpDownCounter<>))
        {
            return (PrometheusTypes.Gauge, MetricAggregation.Sum);
        }

        if (kind == typeof(Histogram<>))
        {
            return (PrometheusTypes.Histogram, MetricAggregation.Histogram);
        }

        if (kind == typeof(ObservableCounter<>))
        {
            return (PrometheusTypes.Counter, MetricAggregation.LastValue);
        }

        if (kind == typeof(Gauge<>) || kind == typeof(ObservableGauge<>) || kind == typeof(ObservableUpDownCounter<>))
        {
            return (PrometheusTypes.Gauge, MetricAggregation.LastValue);
        }

        return null;
    }

    private static void WriteFamily(StringBuilder text, MetricFamily family)
    {
        var series = family.Snapshot();
        if (series.Count == 0)
        {
            return; // nothing recorded yet: a family without samples tells a reader nothing
        }

        if (family.Help is { } help)
        {
            text.Append("# HELP ").Append(family.Name).Append(' ');
            PrometheusText.AppendEscapedHelp(text, help);
            text.Append('\n');
        }

        text.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');
        foreach (var one in series)
        {
            if (family.Aggregation == MetricAggregation.Histogram)
            {
                WriteHistogram(text, family, one);
            }
            else
            {
                WriteSample(text, family.Name, "", one.Labels, null, one.Value);
            }
        }
    }

    private static void WriteHistogram(StringBuilder text, MetricFamily family, MetricSeries series)
    {
        var (buckets, count, sum) = series.HistogramSnapshot();
        long cumulative = 0;
        for (var i = 0; i < family.Bounds.Length; i++)
        {
            cumulative += buckets[i];
            WriteSample(text, family.Name, "_bucket", series.Labels, PrometheusText.Value(family.Bounds[i]), cumulative);
        }

        WriteSample(text, family.Name, "_bucket", series.Labels, "+Inf", count);
        WriteSample(text, family.Name, "_sum", series.Labels, null, sum);
        WriteSample(text, family.Name, "_count", series.Labels, null, count);
    }

    private static void WriteSample(StringBuilder text, string name, string suffix, string labels, string? le, double value)
    {
        text.Append(name).Append(suffix);
        if (labels.Length > 0 || le is not null)
        {
            text.Append('{').Append(labels);
            if (le is not null)
            {
                text.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ');
        PrometheusText.AppendValue(text, value);
        text.Append('\n');
    }
}
