using Lamina.RuntimeShim.Execution;
using static Lamina.RuntimeShim.Tests.Execution.EnvironmentHarness;

namespace Lamina.RuntimeShim.Tests.Execution;

/// <summary>One invocation: accepted, delivered to the runtime, answered; cold starts and busy answers (<c>ExecutionEnvironment.Invoke.cs</c>, delivery in <c>.RuntimeApi.cs</c>).</summary>
public sealed partial class ExecutionEnvironmentTests
{
    [Fact]
    public async Task InvokeAsync_RuntimeAnswers_RuntimeSawTheRequestAndCallerGetsTheResult()
    {
        var next = _harness.StartInitialisedRuntime();
        var accepted = Time.GetUtcNow();

        var invoke = Environment.InvokeAsync(Request("r1", """{"hello":"world"}"""), waitForInit: false, None);
        var invocation = await next.Bounded();
        Assert.Equal("r1", invocation.RequestId);
        Assert.Equal("""{"hello":"world"}""", Text(invocation.Request.Payload));
        Assert.Equal(accepted + DefaultTimeout, invocation.Deadline);
        Assert.True(Environment.IsBusy);

        Time.Advance(Work);
        await Environment.CompleteAsync("r1", """{"answer":42}"""u8.ToArray(), functionError: null, errorType: null).Bounded();
        var result = Completed(await invoke.Bounded());

        Assert.Equal("r1", result.RequestId);
        Assert.Equal("""{"answer":42}""", Text(result.Payload));
        Assert.Null(result.FunctionError);
        Assert.Null(result.ErrorType);
        Assert.True(result.ColdStart);
        Assert.Equal(InitTime, result.InitDuration);
        Assert.Equal(Work, result.Duration);
        Assert.False(Environment.IsBusy);
        Assert.True(Environment.IsReady);
    }

    [Fact]
    public async Task InvokeAsync_NoTraceIdGiven_GeneratesAnUnsampledXRayTraceId()
    {
        var next = _harness.StartInitialisedRuntime();
        var now = Time.GetUtcNow();

        _ = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        var invocation = await next.Bounded();

        Assert.Matches("^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0$", invocation.TraceId);
        Assert.StartsWith($"Root=1-{now.ToUnixTimeSeconds():x8}-", invocation.TraceId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_TraceIdGiven_RuntimeReceivesItUnchanged()
    {
        const string traceId = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        var next = _harness.StartInitialisedRuntime();

        _ = Environment.InvokeAsync(Request("r1") with { TraceId = traceId }, waitForInit: false, None);
        var invocation = await next.Bounded();

        Assert.Equal(traceId, invocation.TraceId);
    }

    [Fact]
    public async Task InvokeAsync_FirstInvocationOfAProvisionedEnvironment_IsNotAColdStart()
    {
        // Provisioned concurrency initialised the runtime before traffic: Lambda reports no cold start and no Init Duration.
        using var provisioned = new EnvironmentHarness(provisioned: true);

        var first = await provisioned.RunAsync(provisioned.StartInitialisedRuntime(), "r1", "1", Work);

        Assert.False(first.ColdStart);
        Assert.Null(first.InitDuration);
    }

    [Fact]
    public async Task InvokeAsync_SecondInvocationOfARuntime_IsNotAColdStart()
    {
        var first = await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        var second = await _harness.RunAsync(Environment.NextAsync(None), "r2", "2", Work);

        Assert.True(first.ColdStart);
        Assert.Equal(InitTime, first.InitDuration);
        Assert.False(second.ColdStart);
        Assert.Null(second.InitDuration);
        Assert.Equal("2", Text(second.Payload));
    }

    [Fact]
    public async Task InvokeAsync_AnotherInvocationInFlight_BusyAtOnce()
    {
        var next = _harness.StartInitialisedRuntime();
        _ = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();

        var second = Environment.InvokeAsync(Request("r2"), waitForInit: true, None);

        Assert.True(second.IsCompletedSuccessfully);
        Assert.Same(InvokeOutcome.Busy.Instance, await second);
    }

    [Fact]
    public async Task InvokeAsync_AnotherInvocationPending_BusyAtOnce()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        _ = Environment.InvokeAsync(Request("r2"), waitForInit: false, None);

        var third = Environment.InvokeAsync(Request("r3"), waitForInit: false, None);

        Assert.True(third.IsCompletedSuccessfully);
        Assert.Same(InvokeOutcome.Busy.Instance, await third);
    }

    [Fact]
    public async Task NextAsync_InvocationAcceptedBetweenNextCalls_DeliveredOnTheNextNext()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        var accepted = Time.GetUtcNow();

        // The runtime is still busy after posting r1's response: r2 waits for its next call.
        var invoke = Environment.InvokeAsync(Request("r2", """{"n":2}"""), waitForInit: false, None);
        Assert.False(invoke.IsCompleted);
        Assert.True(Environment.IsBusy);
        Time.Advance(TimeSpan.FromMilliseconds(500));

        var next = Environment.NextAsync(None);
        Assert.True(next.IsCompletedSuccessfully);
        var invocation = await next;
        Assert.Equal("r2", invocation.RequestId);
        Assert.Equal("""{"n":2}""", Text(invocation.Request.Payload));
        Assert.Equal(accepted + DefaultTimeout, invocation.Deadline);

        await Environment.CompleteAsync("r2", "2"u8.ToArray(), functionError: null, errorType: null).Bounded();
        var result = Completed(await invoke.Bounded());
        Assert.Equal("2", Text(result.Payload));
        Assert.False(result.ColdStart);
    }

    [Fact]
    public async Task NextAsync_RuntimeRestartedWhileAnInvocationWasPending_ThatInvocationIsTheColdStart()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        var crashed = _harness.Generation!;

        // r2 is accepted while the runtime is between next calls; the runtime then crashes instead of asking for it.
        var invoke = Environment.InvokeAsync(Request("r2"), waitForInit: false, None);
        Environment.OnRuntimeExited(crashed, "exit status 1");
        var invocation = await _harness.StartInitialisedRuntime().Bounded();
        Assert.Equal("r2", invocation.RequestId);
        await Environment.CompleteAsync("r2", "2"u8.ToArray(), functionError: null, errorType: null).Bounded();
        var second = Completed(await invoke.Bounded());
        var third = await _harness.RunAsync(Environment.NextAsync(None), "r3", "3", Work);

        // r2 was the first invocation the new runtime served.
        Assert.True(second.ColdStart);
        Assert.Equal(InitTime, second.InitDuration);
        Assert.False(third.ColdStart);
        Assert.Null(third.InitDuration);
        Assert.Equal(2, _harness.Metrics.Sum("lamina_cold_starts_total"));
    }
}
