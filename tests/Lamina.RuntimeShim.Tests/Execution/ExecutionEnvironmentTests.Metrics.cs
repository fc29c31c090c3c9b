using Lamina.Contracts.Lambda;
using static Lamina.RuntimeShim.Tests.Execution.EnvironmentHarness;

namespace Lamina.RuntimeShim.Tests.Execution;

/// <summary>What the environment counts and measures, by namespace, function and error type.</summary>
public sealed partial class ExecutionEnvironmentTests
{
    [Fact]
    public async Task InvokeAsync_Invocations_CountedByNamespaceFunctionAndInvocationType()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        var next = Environment.NextAsync(None);
        var invoke = Environment.InvokeAsync(Request("r2") with { InvocationType = LambdaInvokeApi.InvocationTypes.Event }, waitForInit: false, None);
        await next.Bounded();
        await Environment.CompleteAsync("r2", "2"u8.ToArray(), functionError: null, errorType: null).Bounded();
        await invoke.Bounded();

        var invocations = _harness.Metrics.Of("lamina_invocations_total");
        Assert.Equal(2, invocations.Count);
        Assert.All(invocations, m => Assert.Equal(["function", "invocation_type", "namespace"], m.Tags.Keys.Order()));
        Assert.Equal(1, _harness.Metrics.Sum("lamina_invocations_total", ("namespace", "team-a"), ("function", "hello"), ("invocation_type", "RequestResponse")));
        Assert.Equal(1, _harness.Metrics.Sum("lamina_invocations_total", ("namespace", "team-a"), ("function", "hello"), ("invocation_type", "Event")));
    }

    [Fact]
    public async Task InvokeAsync_ColdStart_CountedOnceByNamespaceAndFunction()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        await _harness.RunAsync(Environment.NextAsync(None), "r2", "2", Work);

        var coldStarts = Assert.Single(_harness.Metrics.Of("lamina_cold_starts_total"));
        Assert.Equal(1, coldStarts.Value);
        Assert.Equal(new Dictionary<string, string?> { ["namespace"] = "team-a", ["function"] = "hello" }, coldStarts.Tags);
    }

    [Fact]
    public async Task CompleteAsync_Durations_RecordedInSecondsByNamespaceAndFunction()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        await _harness.RunAsync(Environment.NextAsync(None), "r2", "2", TimeSpan.FromMilliseconds(1500));

        var durations = _harness.Metrics.Of("lamina_duration_seconds");
        Assert.Equal([0.04, 1.5], durations.Select(m => m.Value));
        Assert.All(durations, m => Assert.Equal(new Dictionary<string, string?> { ["namespace"] = "team-a", ["function"] = "hello" }, m.Tags));
        var init = Assert.Single(_harness.Metrics.Of("lamina_init_duration_seconds"));
        Assert.Equal(0.25, init.Value);
        Assert.Equal("on-demand", init.Tags["init_type"]);
    }

    [Fact]
    public async Task CompleteAsync_FunctionErrors_CountedByErrorType()
    {
        // r1 succeeds, r2 reports an error, r3 times out, r4 meets the crashed runtime's init error: all three Unhandled.
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        var next = Environment.NextAsync(None);
        var handled = Environment.InvokeAsync(Request("r2"), waitForInit: false, None);
        await next.Bounded();
        await Environment.CompleteAsync("r2", """{"errorMessage":"no","errorType":"E"}"""u8.ToArray(), LambdaInvokeApi.FunctionErrors.Unhandled, "E").Bounded();
        await handled.Bounded();
        next = Environment.NextAsync(None);
        var timedOut = Environment.InvokeAsync(Request("r3"), waitForInit: false, None);
        await next.Bounded();
        Time.Advance(DefaultTimeout);
        await timedOut.Bounded();
        Environment.OnRuntimeExited(_harness.Generation!, "signal: killed");
        Environment.OnRuntimeExited(_harness.StartRuntime(), "exit status 1");
        await Environment.InvokeAsync(Request("r4"), waitForInit: false, None).Bounded();

        var errors = _harness.Metrics.Of("lamina_errors_total");
        Assert.Equal(3, errors.Count);
        Assert.All(errors, m => Assert.Equal(["error_type", "function", "namespace"], m.Tags.Keys.Order()));
        Assert.Equal(3, _harness.Metrics.Sum("lamina_errors_total", ("namespace", "team-a"), ("function", "hello"), ("error_type", "Unhandled")));
        Assert.Equal(4, _harness.Metrics.Sum("lamina_invocations_total"));
        Assert.Equal(2, _harness.Metrics.Sum("lamina_cold_starts_total"));
        Assert.Equal(1, _harness.Metrics.Sum("lamina_runtime_restarts_total", ("reason", "timeout")));
        Assert.Equal(1, _harness.Metrics.Sum("lamina_init_failures_total"));
    }
}
