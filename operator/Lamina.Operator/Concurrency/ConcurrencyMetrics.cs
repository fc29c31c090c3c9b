using System.Diagnostics.Metrics;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// The controller's metrics (meter <c>Lamina.Operator.Concurrency</c>), named after Lambda's
/// CloudWatch metrics where one exists; labels <c>namespace</c> and <c>function</c> only (plus
/// <c>direction</c> on scale decisions). Gauges are read from <see cref="ConcurrencyState"/> at scrape
/// time, and only on the leader (a standby's view is empty, and it exports no pool figures, so an
/// alert's ratio never meets a standby's full pool).
/// The limits (reserved concurrency, the pool, the unreserved room, the timeout) are exported beside the
/// figures they bound so that alerts and dashboards can say "near the cap" without knowing the specs.
/// </summary>
internal sealed class ConcurrencyMetrics
{
    public const string MeterName = "Lamina.Operator.Concurrency";

    private readonly Counter<long> _decisions;

    public ConcurrencyMetrics(IMeterFactory meterFactory, ConcurrencyState state, ConcurrencyOptions options)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(options);
        var meter = meterFactory.Create(MeterName);
        _decisions = meter.CreateCounter<long>("lamina_scale_decisions_total", description: "Autoscaler decisions that changed a function's desired environments, by direction (Up, Down).");
        meter.CreateObservableGauge("lamina_unreserved_concurrent_executions", () => Leading(state, Sum(state, static g => g.Unreserved ? g.Busy : 0)),
            description: "Invocations running now of functions without reserved concurrency (Lambda's UnreservedConcurrentExecutions).");
        meter.CreateObservableGauge("lamina_provisioned_concurrent_executions", () => Each(state, static g => g.Provisioned > 0 ? g.ProvisionedBusy : null),
            description: "Provisioned-concurrency environments running an invocation now, as the gateways report them (Lambda's ProvisionedConcurrentExecutions).");
        meter.CreateObservableGauge("lamina_provisioned_concurrency_utilization", () => EachRatio(state),
            description: "Provisioned-concurrency environments running an invocation now over provisioned concurrency, normally 0 to 1 (Lambda's ProvisionedConcurrencyUtilization).");
        meter.CreateObservableGauge("lamina_desired_environments", () => Each(state, static g => g.Desired),
            description: "Execution environments the autoscaler wants, provisioned ones included.");
        meter.CreateObservableGauge("lamina_environments", () => Each(state, static g => g.Environments),
            description: "Execution environments (function pods) that exist, starting and terminating ones included.");
        meter.CreateObservableGauge("lamina_ready_environments", () => Each(state, static g => g.Ready),
            description: "Execution environments that can take an invocation now.");
        meter.CreateObservableGauge("lamina_leased_environments", () => Each(state, static g => g.Leases),
            description: "Execution environments leased to a gateway now; never above reserved concurrency.");
        meter.CreateObservableGauge("lamina_controller_concurrent_executions", () => Each(state, static g => g.Busy),
            description: "Invocations running now, cluster-wide, as the gateways report them to the controller.");
        meter.CreateObservableGauge("lamina_reserved_concurrency", () => Each(state, static g => g.Reserved),
            description: "Reserved concurrency in force, for functions that have a reservation (0 while the pool refuses it).");
        meter.CreateObservableGauge("lamina_function_timeout_seconds", () => Each(state, static g => g.TimeoutSeconds),
            description: "The function's timeout (spec.timeoutSeconds, default 3).", unit: "s");
        meter.CreateObservableGauge("lamina_concurrency_pool_size", () => Leading(state, options.PoolSize),
            description: "Concurrent executions the whole cluster may run (Lambda's AccountLimit.ConcurrentExecutions).");
        meter.CreateObservableGauge("lamina_unreserved_concurrency_limit", () => Leading(state, state.UnreservedCapacity),
            description: "What the pool leaves to functions without a reservation: the pool less the admitted reservations (Lambda's AccountLimit.UnreservedConcurrentExecutions).");
    }

    /// <summary>A decision changed the desired environments.</summary>
    public void Decided(FunctionId function, ScaleEvent decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        _decisions.Add(1, new("namespace", function.Namespace), new("function", function.Name), new("direction", decision.Direction));
    }

    private static int Sum(ConcurrencyState state, Func<FunctionGauges, int> value)
    {
        var total = 0;
        foreach (var gauges in LeaderGauges(state))
        {
            total += value(gauges);
        }

        return total;
    }

    /// <summary>One unlabelled value, on the leader only.</summary>
    private static IEnumerable<Measurement<int>> Leading(ConcurrencyState state, int value) =>
        state.Leading ? [new Measurement<int>(value)] : [];

    /// <summary>
    /// The functions' gauges on the leader; none on a standby, which tracks the same environments from
    /// its informers (to take over warm) but decides nothing: with two replicas, a sum over every
    /// operator pod would otherwise count each function twice.
    /// </summary>
    private static IReadOnlyList<FunctionGauges> LeaderGauges(ConcurrencyState state) => state.Leading ? state.Gauges() : [];

    private static IEnumerable<Measurement<int>> Each(ConcurrencyState state, Func<FunctionGauges, int?> value)
    {
        foreach (var gauges in LeaderGauges(state))
        {
            if (value(gauges) is { } measured)
            {
                yield return new Measurement<int>(measured, new("namespace", gauges.Function.Namespace), new("function", gauges.Function.Name));
            }
        }
    }

    private static IEnumerable<Measurement<double>> EachRatio(ConcurrencyState state)
    {
        foreach (var gauges in LeaderGauges(state))
        {
            if (gauges.Provisioned > 0)
            {
                yield return new Measurement<double>((double)gauges.ProvisionedBusy / gauges.Provisioned, new("namespace", gauges.Function.Namespace), new("function", gauges.Function.Name));
            }
        }
    }
}
