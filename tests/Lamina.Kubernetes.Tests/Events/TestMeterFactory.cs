using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Lamina.Kubernetes.Tests.Events;

/// <summary>
/// Meters scoped to one test, and the sum of a counter's measurements per tag value: tests running
/// in parallel create meters of the same name, and each must count only its own.
/// </summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly ConcurrentBag<Meter> _meters = [];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Tag), long> _sums = new();

    public TestMeterFactory(string tagName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == this)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? tag = null;
            foreach (var pair in tags)
            {
                if (pair.Key == tagName)
                {
                    tag = pair.Value as string;
                }
            }

            _sums.AddOrUpdate((instrument.Name, tag), value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        _meters.Add(meter);
        return meter;
    }

    /// <summary>The sum recorded by <paramref name="instrument"/> with the tag set to <paramref name="tag"/>.</summary>
    public long Sum(string instrument, string? tag) => _sums.GetValueOrDefault((instrument, tag));

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
