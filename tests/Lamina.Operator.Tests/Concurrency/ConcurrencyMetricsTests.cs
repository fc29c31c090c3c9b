using System.Diagnostics.Metrics;
using System.Globalization;
using Lamina.Operator.Concurrency;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Concurrency;

/// <summary>
/// The controller's gauges as a scrape reads them: the limits exported beside the figures they bound
/// (reserved concurrency, the function's timeout, the pool and its unreserved room), and provisioned
/// concurrency in use (environments running an invocation, not merely leased).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ConcurrencyMetricsTests : IDisposable
{
    private static readonly FunctionId Capped = new("team-a", "capped");
    private static readonly FunctionId Shared = new("team-b", "shared");

    private readonly IMeterFactory _meters = TestMeters.Factory();
    private readonly ConcurrencyHarness _harness = new(new ConcurrencyOptions { PoolSize = 200, UnreservedMinimum = 20 });
    private readonly MetricCollectors _recorded;

    public ConcurrencyMetricsTests()
    {
        _ = new ConcurrencyMetrics(_meters, _harness.State, _harness.Options);
        _recorded = new MetricCollectors(_meters);
    }

    public void Dispose()
    {
        _recorded.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public void ReservedConcurrency_ReservedAndUnreservedFunctions_OnlyTheReservedOneWithItsCap()
    {
        _harness.State.StartLeading();
        _harness.Function(Capped, reserved: 5);
        _harness.Function(Shared);

        var series = Scrape("lamina_reserved_concurrency");

        var only = Assert.Single(series);
        Assert.Equal(5, only.Value);
        AssertLabelledWith(only, Capped);
    }

    [Fact]
    public void ReservedConcurrency_ReservationRefusedByThePool_ZeroTheCapInForce()
    {
        _harness.State.StartLeading();
        _harness.Function(Capped, reserved: 0, refused: "Function team-a/capped may not run: reserved concurrency 500 exceeds the pool of 200");

        var only = Assert.Single(Scrape("lamina_reserved_concurrency"));

        Assert.Equal(0, only.Value);
    }

    [Fact]
    public void FunctionTimeout_EveryFunction_ItsTimeoutInSeconds()
    {
        _harness.State.StartLeading();
        _harness.Function(Capped, reserved: 5, timeoutSeconds: 30);
        _harness.Function(Shared);

        var series = Scrape("lamina_function_timeout_seconds");

        Assert.Equal(2, series.Count);
        Assert.Equal(30, Single(series, Capped).Value);
        Assert.Equal(3, Single(series, Shared).Value); // FunctionDefaults.TimeoutSeconds
    }

    [Fact]
    public void FunctionTimeout_FunctionRemoved_NoSeries()
    {
        _harness.State.StartLeading();
        _harness.Function(Capped, timeoutSeconds: 30);
        _harness.State.RemoveFunction(Capped);

        Assert.Empty(Scrape("lamina_function_timeout_seconds"));
    }

    [Fact]
    public void PoolGauges_Leading_PoolSizeAndWhatReservationsLeaveUnlabelled()
    {
        _harness.State.StartLeading();
        _harness.State.SetUnreservedCapacity(150);

        var pool = Assert.Single(Scrape("lamina_concurrency_pool_size"));
        var unreserved = Assert.Single(Scrape("lamina_unreserved_concurrency_limit"));

        Assert.Equal(200, pool.Value);
        Assert.Empty(pool.Tags);
        Assert.Equal(150, unreserved.Value);
        Assert.Empty(unreserved.Tags);
    }

    [Fact]
    public void PoolGauges_Standby_NoSeries()
    {
        _harness.State.SetUnreservedCapacity(150);

        Assert.Empty(Scrape("lamina_concurrency_pool_size"));
        Assert.Empty(Scrape("lamina_unreserved_concurrency_limit"));
    }

    [Theory]
    [InlineData("lamina_environments")]
    [InlineData("lamina_ready_environments")]
    [InlineData("lamina_desired_environments")]
    [InlineData("lamina_leased_environments")]
    [InlineData("lamina_controller_concurrent_executions")]
    [InlineData("lamina_reserved_concurrency")]
    [InlineData("lamina_function_timeout_seconds")]
    [InlineData("lamina_unreserved_concurrent_executions")]
    public void FunctionGauges_Standby_NoSeries(string instrument)
    {
        // Issue 19: two operator replicas by default; the standby knows the same functions (its
        // informers keep them for a warm take-over), and a sum over both pods counted each twice.
        _harness.Function(Capped, reserved: 5);
        _harness.Function(Shared);

        Assert.Empty(Scrape(instrument));
    }

    [Fact]
    public void PoolGauges_LeadershipLost_NoSeriesAnyMore()
    {
        _harness.State.StartLeading();
        Assert.Single(Scrape("lamina_concurrency_pool_size"));

        _harness.State.StopLeading();

        Assert.Empty(Scrape("lamina_concurrency_pool_size"));
        Assert.Empty(Scrape("lamina_unreserved_concurrency_limit"));
    }

    [Fact]
    public void LimitGauges_LabelNames_NamespaceAndFunctionOnly()
    {
        _harness.State.StartLeading();
        _harness.Function(Capped, reserved: 5, timeoutSeconds: 30);

        _recorded.RecordObservableInstruments();

        foreach (var name in new[] { "lamina_reserved_concurrency", "lamina_function_timeout_seconds", "lamina_controller_concurrent_executions" })
        {
            var series = Assert.Single(_recorded.Of(name));
            Assert.Equal(["function", "namespace"], series.Tags.Keys);
        }
    }

    /// <summary>
    /// One row: provisioned concurrency, and the gateways as <c>id:leases/inFlight/provisionedInFlight</c>
    /// (<c>!</c> after it: its stream has ended). Leases go to the provisioned environments first, then to
    /// on-demand ones; then come the expected provisioned executions and utilisation.
    /// </summary>
    public static TheoryData<string, int, string, int, double> ProvisionedRows => new()
    {
        { "two provisioned leases, one busy: the idle lease does not count", 2, "a:2/1/1", 1, 0.5 },
        { "every provisioned environment busy", 2, "a:2/2/2", 2, 1.0 },
        { "leased but idle: nothing runs", 2, "a:2/0/0", 0, 0.0 },
        { "two gateways: summed", 4, "a:2/1/1 b:2/2/2", 3, 0.75 },
        { "a gateway whose stream ended no longer counts, though its leases wait out the TTL", 2, "a:1/1/1 b:1/1/1!", 1, 0.5 },
        { "invocations on on-demand environments do not count", 1, "a:3/2/0", 0, 0.0 },
        { "an older gateway that does not send provisioned_in_flight counts none", 2, "a:2/2/0", 0, 0.0 },
    };

    [Theory]
    [MemberData(nameof(ProvisionedRows))]
    public void ProvisionedExecutions_GatewaysReportInFlight_CountsProvisionedEnvironmentsRunningAnInvocation(
        string row, int provisioned, string gateways, int executions, double utilization)
    {
        _harness.State.StartLeading();
        _harness.Function(Capped, reserved: 10, provisioned: provisioned);
        for (var i = 1; i <= provisioned; i++)
        {
            _harness.Serve(Capped, $"capped-pc-{i}", provisioned: true);
        }

        for (var i = 1; i <= 10 - provisioned; i++)
        {
            _harness.Serve(Capped, $"capped-fn-{i}");
        }

        foreach (var gateway in gateways.Split(' '))
        {
            var parts = gateway.TrimEnd('!').Split(':');
            var numbers = parts[1].Split('/').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
            var (id, ended) = (parts[0], gateway.EndsWith('!'));
            var stream = _harness.Connect(id);
            stream.Acquire(Capped, numbers[0]);
            Assert.True(numbers[0] == stream.Take().Grants.Count, $"{row}: {id} was not granted its {numbers[0]} leases");
            stream.ReportDemand(Capped, inFlight: numbers[1], waiting: 0, started: numbers[1], provisionedInFlight: numbers[2]);
            if (ended)
            {
                stream.Disconnect();
            }
        }

        _harness.Tick();

        var running = Single(Scrape("lamina_provisioned_concurrent_executions"), Capped);
        var used = Single(Scrape("lamina_provisioned_concurrency_utilization"), Capped);
        Assert.True((running.Value, used.Value) == (executions, utilization), $"{row}: {running.Value} executions, utilisation {used.Value}");
    }

    [Fact]
    public void ProvisionedExecutions_NoProvisionedConcurrency_NoSeries()
    {
        _harness.State.StartLeading();
        _harness.Function(Capped, reserved: 5);
        _harness.Serve(Capped, "capped-fn-1");
        var gateway = _harness.Connect("a");
        gateway.Acquire(Capped);
        gateway.ReportDemand(Capped, inFlight: 1, waiting: 0, started: 1);
        _harness.Tick();

        Assert.Empty(Scrape("lamina_provisioned_concurrent_executions"));
        Assert.Empty(Scrape("lamina_provisioned_concurrency_utilization"));
    }

    /// <summary>What one scrape reads from the instrument now.</summary>
    private List<RecordedMeasurement> Scrape(string instrument)
    {
        var before = _recorded.Of(instrument).Count;
        _recorded.RecordObservableInstruments();
        return [.. _recorded.Of(instrument).Skip(before)];
    }

    private static RecordedMeasurement Single(IEnumerable<RecordedMeasurement> series, FunctionId function) =>
        Assert.Single(series, m => m.Tags["namespace"] == function.Namespace && m.Tags["function"] == function.Name);

    private static void AssertLabelledWith(RecordedMeasurement measurement, FunctionId function)
    {
        Assert.Equal(function.Namespace, measurement.Tags["namespace"]);
        Assert.Equal(function.Name, measurement.Tags["function"]);
    }
}
