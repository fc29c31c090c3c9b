using System.Text.Json;
using Lamina.RuntimeShim.Execution;
using Lamina.Testing;
using Microsoft.Extensions.Time.Testing;
using static Lamina.RuntimeShim.Tests.Execution.EnvironmentHarness;

namespace Lamina.RuntimeShim.Tests.Execution;

/// <summary>
/// <see cref="ExecutionEnvironment"/> on a fake clock and a fake runtime (<see cref="EnvironmentHarness"/>): readiness and
/// draining here, the rest in a file per concern beside this one.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed partial class ExecutionEnvironmentTests : IDisposable
{
    private static readonly TimeSpan Work = TimeSpan.FromMilliseconds(40);
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly EnvironmentHarness _harness = new();

    private ExecutionEnvironment Environment => _harness.Environment;

    private FakeTimeProvider Time => _harness.Time;

    public void Dispose() => _harness.Dispose();

    // ---------------------------------------------------------------- readiness and initialisation

    [Fact]
    public void IsReady_NoRuntimeYet_False()
    {
        Assert.False(Environment.IsReady);
        Assert.False(Environment.IsBusy);
    }

    [Fact]
    public void IsReady_RuntimeStartedButNoNextYet_False()
    {
        _harness.StartRuntime();

        Assert.False(Environment.IsReady);
    }

    [Fact]
    public async Task WaitUntilReadyAsync_RuntimeInitialisesDuringTheWait_TrueAtOnce()
    {
        _harness.StartRuntime();
        var waiting = Environment.WaitUntilReadyAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        _ = Environment.NextAsync(CancellationToken.None);

        Assert.True(await waiting.Bounded());
    }

    [Fact]
    public async Task WaitUntilReadyAsync_NotReadyWithinTheWait_False()
    {
        _harness.StartRuntime();
        var waiting = Environment.WaitUntilReadyAsync(TimeSpan.FromSeconds(5), CancellationToken.None);

        Time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(await waiting.Bounded());
    }

    [Fact]
    public async Task WaitUntilReadyAsync_AlreadyReady_TrueWithoutWaiting()
    {
        _ = _harness.StartInitialisedRuntime();

        Assert.True(await Environment.WaitUntilReadyAsync(TimeSpan.FromSeconds(5), CancellationToken.None).Bounded());
    }

    [Fact]
    public void IsReady_AfterFirstNext_True()
    {
        _ = _harness.StartInitialisedRuntime();

        Assert.True(Environment.IsReady);
        Assert.False(Environment.IsBusy);
    }

    [Fact]
    public async Task InvokeAsync_NoRuntimeWithoutWaiting_Unavailable()
    {
        var outcome = await Environment.InvokeAsync(Request("r1"), waitForInit: false, None).Bounded();

        Assert.IsType<InvokeOutcome.Unavailable>(outcome);
    }

    [Fact]
    public async Task InvokeAsync_RuntimeInitialisingWithoutWaiting_Unavailable()
    {
        _harness.StartRuntime();

        var outcome = await Environment.InvokeAsync(Request("r1"), waitForInit: false, None).Bounded();

        Assert.IsType<InvokeOutcome.Unavailable>(outcome);
        Assert.False(Environment.IsBusy);
    }

    [Fact]
    public async Task InvokeAsync_WaitingForInit_RunsOnceTheRuntimeAsksForNext()
    {
        var invoke = Environment.InvokeAsync(Request("r1", """{"n":1}"""), waitForInit: true, None);
        Assert.False(invoke.IsCompleted);

        _harness.StartRuntime();
        Assert.False(invoke.IsCompleted);

        Time.Advance(InitTime);
        var invocation = await Environment.NextAsync(None).Bounded();
        Assert.Equal("r1", invocation.RequestId);
        Assert.Equal("""{"n":1}""", Text(invocation.Request.Payload));

        await Environment.CompleteAsync("r1", "\"done\""u8.ToArray(), functionError: null, errorType: null).Bounded();
        var result = Completed(await invoke.Bounded());
        Assert.Equal("\"done\"", Text(result.Payload));
        Assert.True(result.ColdStart);
        Assert.Equal(InitTime, result.InitDuration);
    }

    [Fact]
    public async Task InvokeAsync_WaitingForInitCancelled_Throws()
    {
        using var cancel = new CancellationTokenSource();
        _harness.StartRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: true, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => invoke.Bounded());
        Assert.False(Environment.IsBusy);
    }

    // ---------------------------------------------------------------- draining

    [Fact]
    public async Task DrainAsync_InvocationInFlight_StopsTakingInvocationsAndCompletesAfterIt()
    {
        var next = _harness.StartInitialisedRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();

        var drain = Environment.DrainAsync(None);

        Assert.False(drain.IsCompleted);
        Assert.True(Environment.IsDraining);
        Assert.False(Environment.IsReady);
        Assert.IsType<InvokeOutcome.Unavailable>(await Environment.InvokeAsync(Request("r2"), waitForInit: true, None).Bounded());

        await Environment.CompleteAsync("r1", "1"u8.ToArray(), functionError: null, errorType: null).Bounded();
        await drain.Bounded();
        Assert.Equal("1", Text(Completed(await invoke.Bounded()).Payload));
    }

    [Fact]
    public async Task DrainAsync_Idle_CompletesAtOnce()
    {
        _ = _harness.StartInitialisedRuntime();

        var drain = Environment.DrainAsync(None);

        Assert.True(drain.IsCompletedSuccessfully);
        Assert.False(Environment.IsReady);
        Assert.IsType<InvokeOutcome.Unavailable>(await Environment.InvokeAsync(Request("r1"), waitForInit: false, None).Bounded());
        await drain;
    }

    [Fact]
    public async Task DrainAsync_InitErrorWaiting_ReleasesTheRestartWait()
    {
        _harness.StartRuntime();
        Environment.ReportInitError(new LambdaError("boom", "Runtime.Unknown"), body: null);
        var restart = Environment.WaitForRestartPermissionAsync(None);

        await Environment.DrainAsync(None).Bounded();

        await restart.Bounded();
        Assert.False(Environment.IsReady);
    }

    [Fact]
    public async Task DrainAsync_InvocationWaitingForInit_ItBecomesUnavailable()
    {
        _harness.StartRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: true, None);

        await Environment.DrainAsync(None).Bounded();

        Assert.IsType<InvokeOutcome.Unavailable>(await invoke.Bounded());
    }

    private static (string Message, string Type) ReadError(ReadOnlyMemory<byte> payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        return (root.GetProperty("errorMessage").GetString()!, root.GetProperty("errorType").GetString()!);
    }
}
