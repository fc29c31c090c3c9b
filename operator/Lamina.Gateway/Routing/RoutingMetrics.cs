using System.Diagnostics.Metrics;

namespace Lamina.Gateway.Routing;

/// <summary>
/// Routing's series on the gateway's meter, labelled <c>namespace</c> and <c>function</c> only
/// (docs: ../shared/reference/lambda-api.md §5): queue depth and in-flight invocations are read from
/// the pools at each scrape; each wait in a queue is recorded as it ends.
/// </summary>
internal sealed class RoutingMetrics
{
    /// <summary>The gateway's meter; the Invoke handler's series share it.</summary>
    public const string MeterName = "Lamina.Gateway";

    public const string QueueDepth = "lamina_queue_depth";
    public const string QueueWait = "lamina_queue_wait_seconds";
    public const string ConcurrentExecutions = "lamina_concurrent_executions";

    private readonly Histogram<double> _queueWait;

    public RoutingMetrics(IMeterFactory meterFactory, Func<IEnumerable<FunctionPool>> pools)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(pools);
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge(
            QueueDepth,
            () => Observe(pools(), static pool => pool.QueueDepth),
            description: "Invocations waiting for an environment of the function, on this gateway replica.");
        meter.CreateObservableGauge(
            ConcurrentExecutions,
            () => Observe(pools(), static pool => pool.InFlight),
            description: "Invocations of the function running through this gateway replica.");
        _queueWait = meter.CreateHistogram(
            QueueWait,
            unit: "s",
            description: "How long an invocation waited in the function's queue, each time it waited, however the wait ended.",
            tags: null,
            // Up to the default 10 s queue timeout and past it, for longer configured timeouts.
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
    }

    public void Waited(FunctionPool pool, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _queueWait.Record(elapsed.TotalSeconds, pool.Tags);
    }

    private static List<Measurement<int>> Observe(IEnumerable<FunctionPool> pools, Func<FunctionPool, int> value)
    {
        var measurements = new List<Measurement<int>>();
        foreach (var pool in pools)
        {
            measurements.Add(new Measurement<int>(value(pool), pool.Tags));
        }

        return measurements;
    }
}
