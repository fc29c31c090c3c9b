using Lamina.Operator.Concurrency;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Concurrency;

/// <summary>
/// The controller's gauges as a scrape reads them: the limits exported beside the figures they bound
/// (reserved concurrency, the function's timeout, the pool and its unreserved room).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ConcurrencyMetricsTests : IDisposable
{
    private static readonly FunctionId Capped = new("team-a", "capped");
    private static readonly FunctionId Shared = new("team-b", "shared");

    private readonly ScopedMeterFactory _meters = new();
    private readonly ConcurrencyHarness _harness = new(new ConcurrencyOptions { PoolSize = 200, UnreservedMinimum = 20 });
    private readonly RecordingMeterListener _recorded;

    public ConcurrencyMetricsTests()
    {
        _ = new ConcurrencyMetrics(_meters, _harness.State, _harness.Options);
        _recorded = new RecordingMeterListener(_meters);
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
