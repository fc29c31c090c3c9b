using Lamina.RuntimeShim.Execution;
using static Lamina.RuntimeShim.Tests.Execution.EnvironmentHarness;

namespace Lamina.RuntimeShim.Tests.Execution;

/// <summary>Runtime API refusals: calls out of turn or for the wrong invocation (<c>ExecutionEnvironment.RuntimeApi.cs</c>).</summary>
public sealed partial class ExecutionEnvironmentTests
{
    [Fact]
    public async Task CompleteAsync_UnknownRequestId_RefusedWithInvalidRequestId()
    {
        var next = _harness.StartInitialisedRuntime();
        _ = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();

        var refusal = await Assert.ThrowsAsync<RuntimeApiRefusal>(() => Environment.CompleteAsync("r2", "1"u8.ToArray(), functionError: null, errorType: null));

        Assert.Equal(400, refusal.StatusCode);
        Assert.Equal("InvalidRequestID", refusal.Error.ErrorType);
    }

    [Fact]
    public async Task CompleteAsync_NoInvocation_RefusedWithInvalidRequestId()
    {
        _ = _harness.StartInitialisedRuntime();

        var refusal = await Assert.ThrowsAsync<RuntimeApiRefusal>(() => Environment.CompleteAsync("r1", "1"u8.ToArray(), functionError: null, errorType: null));

        Assert.Equal(400, refusal.StatusCode);
        Assert.Equal("InvalidRequestID", refusal.Error.ErrorType);
    }

    [Fact]
    public async Task CompleteAsync_AlreadyFinished_RefusedWithInvalidRequestId()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);

        var refusal = await Assert.ThrowsAsync<RuntimeApiRefusal>(() => Environment.CompleteAsync("r1", "again"u8.ToArray(), functionError: null, errorType: null));

        Assert.Equal(400, refusal.StatusCode);
        Assert.Equal("InvalidRequestID", refusal.Error.ErrorType);
    }

    [Fact]
    public async Task CompleteAsync_NotYetDelivered_RefusedWithInvalidState()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        _ = Environment.InvokeAsync(Request("r2"), waitForInit: false, None);

        var refusal = await Assert.ThrowsAsync<RuntimeApiRefusal>(() => Environment.CompleteAsync("r2", "1"u8.ToArray(), functionError: null, errorType: null));

        Assert.Equal(403, refusal.StatusCode);
    }

    [Fact]
    public async Task NextAsync_InvocationRunningWithoutAResponse_RefusedWithInvalidState()
    {
        var next = _harness.StartInitialisedRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();

        var refusal = await Assert.ThrowsAsync<RuntimeApiRefusal>(() => Environment.NextAsync(None));

        Assert.Equal(403, refusal.StatusCode);
        Assert.Equal("InvalidStateTransition", refusal.Error.ErrorType);
        Assert.False(invoke.IsCompleted);
    }

    [Fact]
    public async Task NextAsync_SecondConcurrentNext_Refused()
    {
        var first = _harness.StartInitialisedRuntime();

        var refusal = await Assert.ThrowsAsync<RuntimeApiRefusal>(() => Environment.NextAsync(None));

        Assert.Equal(403, refusal.StatusCode);
        Assert.False(first.IsCompleted);
    }

    [Fact]
    public async Task NextAsync_NoRuntimeStarted_RefusedSoTheRuntimeExits()
    {
        var refusal = await Assert.ThrowsAsync<RuntimeApiRefusal>(() => Environment.NextAsync(None));

        Assert.Equal(500, refusal.StatusCode);
    }

    [Fact]
    public async Task NextAsync_AfterTheRuntimeExited_RefusedSoTheRuntimeExits()
    {
        var generation = _harness.StartRuntime();
        Environment.OnRuntimeExited(generation, "exit status 1");

        var refusal = await Assert.ThrowsAsync<RuntimeApiRefusal>(() => Environment.NextAsync(None));

        Assert.Equal(500, refusal.StatusCode);
    }

    [Fact]
    public void ReportInitError_AfterFirstNext_Refused()
    {
        _ = _harness.StartInitialisedRuntime();

        var refusal = Assert.Throws<RuntimeApiRefusal>(() => Environment.ReportInitError(new LambdaError("late", "Runtime.Unknown"), body: null));

        Assert.Equal(403, refusal.StatusCode);
        Assert.True(Environment.IsReady);
    }
}
