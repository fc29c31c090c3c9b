using System.Diagnostics.Metrics;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Async;

/// <summary>
/// Async invocation's series on the gateway's meter, named after Lambda's (docs/lambda-contracts.md#metrics),
/// labelled <c>namespace</c> and <c>function</c> (and a bounded <c>reason</c>). Counters are recorded as
/// things happen; queue depth and oldest event age are read from Redis every
/// <see cref="AsyncOptions.SampleInterval"/> by <see cref="Worker.AsyncQueueSampler"/>, so a scrape never waits on Redis.
/// </summary>
internal sealed class AsyncMetrics
{
    public const string MeterName = "Lamina.Gateway";

    public const string EventsReceived = "lamina_async_events_received_total";
    public const string EventAge = "lamina_async_event_age_seconds";
    public const string EventsDropped = "lamina_async_events_dropped_total";
    public const string DeadLetterErrors = "lamina_dead_letter_errors_total";
    public const string DestinationDeliveryFailures = "lamina_destination_delivery_failures_total";
    public const string QueueDepth = "lamina_async_queue_depth";
    public const string OldestEventAge = "lamina_async_oldest_event_age_seconds";
    public const string StoreUp = "lamina_async_store_up";
    public const string EventsForged = "lamina_async_events_forged_total";
    public const string DeadLettersTrimmed = "lamina_dead_letter_trimmed_total";
    public const string StoreMemoryUsed = "lamina_async_store_memory_used_bytes";
    public const string StoreMemoryLimit = "lamina_async_store_memory_limit_bytes";

    /// <summary>The dropped counter's reason for an entry whose fields are not an event (written by hand, or by another version).</summary>
    public const string Malformed = "Malformed";

    /// <summary>The dead-letter condition of an entry whose signature is not the gateways' (<see cref="EventSigner"/>).</summary>
    public const string Forged = "Forged";

    // From a fresh event to Lambda's largest maximum event age (6 hours), through the retry delays.
    private static readonly double[] AgeBuckets = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];

    private readonly Counter<long> _received;
    private readonly Histogram<double> _age;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _deadLetterErrors;
    private readonly Counter<long> _destinationFailures;
    private readonly Counter<long> _forged;
    private readonly Counter<long> _trimmed;
    private volatile StoreMemory? _memory;
    private volatile IReadOnlyList<QueueSample> _samples = [];
    private volatile Func<bool>? _storeConnected;

    public AsyncMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _received = meter.CreateCounter<long>(EventsReceived, description: "Async events stored for the function: Event invocations answered 202, and destination records delivered to it.");
        _age = meter.CreateHistogram(
            EventAge,
            unit: "s",
            description: "How long an async event had waited since it was first stored, each time an attempt to invoke it started.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AgeBuckets });
        _dropped = meter.CreateCounter<long>(EventsDropped, description: "Async events that ended without a successful invocation, by reason (RetriesExhausted, EventAgeExceeded, Malformed); each went to the on-failure destination or the dead-letter stream.");
        _deadLetterErrors = meter.CreateCounter<long>(DeadLetterErrors, description: "Failed async events that could not be written to the dead-letter stream (they stay pending and are tried again).");
        _destinationFailures = meter.CreateCounter<long>(DestinationDeliveryFailures, description: "Invocation records that could not be delivered to the function's destination (no such function, or Redis failed); each went to the dead-letter stream instead.");
        meter.CreateObservableGauge(QueueDepth, () => Observe(static s => s.Depth), description: "Async events of the function not yet in a final state: waiting, running or waiting for a retry (sampled from Redis).");
        _forged = meter.CreateCounter<long>(EventsForged, description: "Async stream entries refused because their signature is not the gateways' (written into Redis by someone without the key, or changed there); never invoked, each went to the dead-letter stream.");
        _trimmed = meter.CreateCounter<long>(DeadLettersTrimmed, description: "Dead-letter entries removed because they were older than the retention (DeadLetterRetention, 14 days by default).");
        meter.CreateObservableGauge(StoreMemoryUsed, () => ObserveMemory(static m => m.Used), unit: "By", description: "Memory Redis uses (INFO memory used_memory), sampled every SampleInterval.");
        meter.CreateObservableGauge(StoreMemoryLimit, () => ObserveMemory(static m => m.Max), unit: "By", description: "Redis' maxmemory (0: no ceiling), sampled likewise: beyond it Redis refuses writes and Event invocations are answered 500.");
        meter.CreateObservableGauge(StoreUp, ObserveStore, description: "1 while this gateway's connection to Redis (the async queue's store) is up, 0 while it is not: Event invocations then answer 500; synchronous ones are not affected.");
        meter.CreateObservableGauge(OldestEventAge, () => Observe(static s => s.OldestAge.TotalSeconds), unit: "s", description: "Age of the function's oldest async event not yet in a final state (sampled from Redis).");
    }

    public void Received(FunctionKey function) => _received.Add(1, Tags(function));

    public void Attempting(FunctionKey function, TimeSpan age) => _age.Record(Math.Max(0, age.TotalSeconds), Tags(function));

    public void Dropped(FunctionKey function, string reason) =>
        _dropped.Add(1, new("namespace", function.Namespace), new("function", function.Name), new("reason", reason));

    public void DeadLetterFailed(FunctionKey function) => _deadLetterErrors.Add(1, Tags(function));

    public void DestinationFailed(FunctionKey function) => _destinationFailures.Add(1, Tags(function));

    public void Trimmed(FunctionKey function, long count) => _trimmed.Add(count, Tags(function));

    /// <summary>The memory gauges' values from now on (the sampler's latest INFO memory).</summary>
    public void PublishMemory(long used, long max) => _memory = new StoreMemory(used, max);

    public void ForgedEvent(FunctionKey function) => _forged.Add(1, Tags(function));

    /// <summary>Where <see cref="StoreUp"/> reads the connection's state from (a field read at scrape time, no Redis call); unset, no series.</summary>
    public void ObserveStore(Func<bool> connected) => _storeConnected = connected;

    /// <summary>The gauges' values from now on (the sampler's latest read).</summary>
    public void Publish(IReadOnlyList<QueueSample> samples) => _samples = samples;

    private IEnumerable<Measurement<long>> ObserveMemory(Func<StoreMemory, long> value) =>
        _memory is { } memory ? [new Measurement<long>(value(memory))] : [];

    private IEnumerable<Measurement<int>> ObserveStore() =>
        _storeConnected is { } connected ? [new Measurement<int>(connected() ? 1 : 0)] : [];

    private static KeyValuePair<string, object?>[] Tags(FunctionKey function) => [new("namespace", function.Namespace), new("function", function.Name)];

    private List<Measurement<T>> Observe<T>(Func<QueueSample, T> value)
        where T : struct
    {
        var samples = _samples;
        var measurements = new List<Measurement<T>>(samples.Count);
        foreach (var sample in samples)
        {
            measurements.Add(new Measurement<T>(value(sample), Tags(sample.Function)));
        }

        return measurements;
    }
}
