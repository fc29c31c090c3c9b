using System.Diagnostics.Metrics;

namespace Lamina.Gateway.Routing;

/// <summary>
/// Routing's series on the gateway's meter, labelled <c>namespace</c> and <c>function</c> only
/// (docs/lambda-contracts.md#metrics): queue depth, in-flight invocations and leases are
/// read from the pools at each scrape; each wait in a queue, and each invocation on a provisioned
/// environment or spilled over to an on-demand one, is recorded as it happens.
/// </summary>
internal sealed class RoutingMetrics
{
    /// <summary>The gateway's meter; the Invoke handler's series share it.</summary>
    public const string MeterName = "Lamina.Gateway";

    public const string QueueDepth = "lamina_queue_depth";
    public const string QueueWait = "lamina_queue_wait_seconds";
    public const string ConcurrentExecutions = "lamina_concurrent_executions";
    public const string Leases = "lamina_leases";
    public const string ProvisionedInvocations = "lamina_provisioned_concurrency_invocations_total";
    public const string SpilloverInvocations = "lamina_provisioned_concurrency_spillover_invocations_total";

    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _provisioned;
    private readonly Counter<long> _spillover;

    public RoutingMetrics(IMeterFactory meterFactory, Func<IEnumerable<LeasedEnvironments>> pools)
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
        meter.CreateObservableGauge(
            Leases,
            () => Observe(pools(), static pool => pool.Leases),
            description: "Environments of the function leased to this gateway replica by the concurrency controller.");
        _provisioned = meter.CreateCounter<long>(
            ProvisionedInvocations,
            description: "Invocations this gateway replica ran on a provisioned-concurrency environment.");
        _spillover = meter.CreateCounter<long>(
            SpilloverInvocations,
            description: "Invocations this gateway replica ran on an on-demand environment of a function with provisioned concurrency.");
        _queueWait = meter.CreateHistogram(
            QueueWait,
            unit: "s",
            description: "How long an invocation waited in the function's queue, each time it waited, however the wait ended.",
            tags: null,
            // Up to the default 30 s queue timeout and past it, for longer configured timeouts.
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
    }

    public void Waited(LeasedEnvironments pool, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _queueWait.Record(elapsed.TotalSeconds, pool.Tags);
    }

    public void RanProvisioned(LeasedEnvironments pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _provisioned.Add(1, pool.Tags);
    }

    public void SpilledOver(LeasedEnvironments pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _spillover.Add(1, pool.Tags);
    }

    private static List<Measurement<int>> Observe(IEnumerable<LeasedEnvironments> pools, Func<LeasedEnvironments, int> value)
    {
        var measurements = new List<Measurement<int>>();
        foreach (var pool in pools)
        {
            measurements.Add(new Measurement<int>(value(pool), pool.Tags));
        }

        return measurements;
    }
}
