using System.Text;
using Lamina.Contracts.Lambda;
using Lamina.RuntimeShim.Execution;
using static Lamina.RuntimeShim.Tests.Execution.EnvironmentHarness;

namespace Lamina.RuntimeShim.Tests.Execution;

/// <summary>How invocations end: function errors, deadlines, the runtime exiting (<c>ExecutionEnvironment.Endings.cs</c>, <c>.Process.cs</c>).</summary>
public sealed partial class ExecutionEnvironmentTests
{
    [Fact]
    public async Task CompleteAsync_ReportedFunctionError_CallerGetsUnhandledWithTheErrorType()
    {
        const string document = """{"errorMessage":"bad input","errorType":"ValueError","stackTrace":[]}""";
        var next = _harness.StartInitialisedRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();

        await Environment.CompleteAsync("r1", Encoding.UTF8.GetBytes(document), LambdaInvokeApi.FunctionErrors.Unhandled, "ValueError").Bounded();
        var result = Completed(await invoke.Bounded());

        Assert.Equal(LambdaInvokeApi.FunctionErrors.Unhandled, result.FunctionError);
        Assert.Equal("ValueError", result.ErrorType);
        Assert.Equal(document, Text(result.Payload));
        Assert.Contains("\tStatus: error\tError Type: ValueError\n", Text(result.LogTail), StringComparison.Ordinal);
        Assert.Equal(0, _harness.Runtime.Resets);
        Assert.True(Environment.IsReady);
    }

    [Fact]
    public async Task InvokeAsync_JustBeforeTheDeadline_StillRunning()
    {
        var next = _harness.StartInitialisedRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();

        Time.Advance(DefaultTimeout - TimeSpan.FromMilliseconds(1));

        Assert.False(invoke.IsCompleted);
        Assert.Equal(0, _harness.Runtime.Resets);
        await Environment.CompleteAsync("r1", "1"u8.ToArray(), functionError: null, errorType: null).Bounded();
        Assert.Null(Completed(await invoke.Bounded()).FunctionError);
    }

    [Fact]
    public async Task InvokeAsync_DeadlinePasses_UnhandledSandboxTimedoutAndTheRuntimeIsReset()
    {
        var next = _harness.StartInitialisedRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();

        Time.Advance(DefaultTimeout);
        var result = Completed(await invoke.Bounded());

        Assert.Equal(LambdaInvokeApi.FunctionErrors.Unhandled, result.FunctionError);
        Assert.Equal("Sandbox.Timedout", result.ErrorType);
        var (message, type) = ReadError(result.Payload);
        Assert.Equal("RequestId: r1 Error: Task timed out after 3.00 seconds", message);
        Assert.Equal("Sandbox.Timedout", type);
        Assert.Equal(DefaultTimeout, result.Duration);
        Assert.Contains(" r1 Task timed out after 3.00 seconds\n", Text(result.LogTail), StringComparison.Ordinal);
        Assert.Equal(1, _harness.Runtime.Resets);
        Assert.False(Environment.IsReady);
        Assert.False(Environment.IsBusy);
    }

    [Fact]
    public async Task InvokeAsync_RuntimeReplacedJustAsTheDeadlinePasses_ResetsOnlyTheRuntimeThatTimedOut()
    {
        var next = _harness.StartInitialisedRuntime();
        var timedOut = _harness.Generation!;
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();
        // The runtime exits by itself at the deadline, and the supervisor starts the next before the reset is made.
        _harness.Runtime.OnReset = () =>
        {
            _harness.Runtime.OnReset = null;
            Environment.OnRuntimeExited(timedOut, "exit status 1");
            _harness.StartRuntime();
        };

        Time.Advance(DefaultTimeout);
        var result = Completed(await invoke.Bounded());
        Time.Advance(InitTime);
        var warm = await _harness.RunAsync(Environment.NextAsync(None), "r2", "2", Work);

        Assert.Equal("Sandbox.Timedout", result.ErrorType);
        Assert.Same(timedOut, Assert.Single(_harness.Runtime.ResetGenerations));
        Assert.Null(warm.FunctionError);
        Assert.True(warm.ColdStart);
    }

    [Fact]
    public async Task CompleteAsync_AfterTheDeadline_Refused()
    {
        var next = _harness.StartInitialisedRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();
        Time.Advance(DefaultTimeout + TimeSpan.FromMilliseconds(1));
        await invoke.Bounded();

        await Assert.ThrowsAsync<RuntimeApiRefusal>(() => Environment.CompleteAsync("r1", "late"u8.ToArray(), functionError: null, errorType: null));
    }

    [Fact]
    public async Task InvokeAsync_AfterATimeout_UnavailableUntilANewRuntimeAsksForNextAndThenAColdStart()
    {
        var next = _harness.StartInitialisedRuntime();
        var timedOut = _harness.Generation!;
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();
        Time.Advance(DefaultTimeout);
        await invoke.Bounded();

        // The killed runtime has not exited yet: nothing may reach it.
        Assert.IsType<InvokeOutcome.Unavailable>(await Environment.InvokeAsync(Request("r2"), waitForInit: false, None).Bounded());
        Environment.OnRuntimeExited(timedOut, "signal: killed");
        Assert.False(Environment.IsReady);
        _harness.StartRuntime();
        Assert.False(Environment.IsReady);
        Time.Advance(InitTime);
        var secondNext = Environment.NextAsync(None);
        Assert.True(Environment.IsReady);

        var result = await _harness.RunAsync(secondNext, "r3", "3", Work);
        Assert.Null(result.FunctionError);
        Assert.True(result.ColdStart);
        Assert.Equal(InitTime, result.InitDuration);
        Assert.Equal(1, _harness.Runtime.Resets);
    }

    [Fact]
    public async Task InvokeAsync_CallerDeadlineEarlierThanTheTimeout_CallerDeadlineWins()
    {
        var next = _harness.StartInitialisedRuntime();
        var callerDeadline = Time.GetUtcNow() + TimeSpan.FromSeconds(1);

        var invoke = Environment.InvokeAsync(Request("r1") with { Deadline = callerDeadline }, waitForInit: false, None);
        var invocation = await next.Bounded();
        Assert.Equal(callerDeadline, invocation.Deadline);
        Time.Advance(TimeSpan.FromSeconds(1));

        var result = Completed(await invoke.Bounded());
        Assert.Equal("Sandbox.Timedout", result.ErrorType);
        Assert.Equal(1, _harness.Runtime.Resets);
    }

    [Fact]
    public async Task InvokeAsync_CallerDeadlineLaterThanTheTimeout_TimeoutWins()
    {
        var next = _harness.StartInitialisedRuntime();
        var accepted = Time.GetUtcNow();

        _ = Environment.InvokeAsync(Request("r1") with { Deadline = accepted + TimeSpan.FromMinutes(1) }, waitForInit: false, None);
        var invocation = await next.Bounded();

        Assert.Equal(accepted + DefaultTimeout, invocation.Deadline);
    }

    [Fact]
    public async Task OnRuntimeExited_DuringAnInvocation_UnhandledRuntimeExitError()
    {
        var next = _harness.StartInitialisedRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();

        Environment.OnRuntimeExited(_harness.Generation!, "exit status 3");
        var result = Completed(await invoke.Bounded());

        Assert.Equal(LambdaInvokeApi.FunctionErrors.Unhandled, result.FunctionError);
        Assert.Equal("Runtime.ExitError", result.ErrorType);
        var (message, type) = ReadError(result.Payload);
        Assert.Equal("RequestId: r1 Error: Runtime exited with error: exit status 3", message);
        Assert.Equal("Runtime.ExitError", type);
        Assert.Contains("Runtime exited with error: exit status 3\n", Text(result.LogTail), StringComparison.Ordinal);
        Assert.False(Environment.IsReady);
        Assert.False(Environment.IsBusy);
    }

    [Fact]
    public async Task NextAsync_RuntimeExitsWhileWaiting_Cancelled()
    {
        var next = _harness.StartInitialisedRuntime();

        Environment.OnRuntimeExited(_harness.Generation!, "exit status 0");

        await Assert.ThrowsAsync<TaskCanceledException>(() => next.Bounded());
    }

    [Fact]
    public async Task NextAsync_WaitCancelled_AnotherNextIsAllowed()
    {
        using var cancel = new CancellationTokenSource();
        _harness.StartRuntime();
        var abandoned = Environment.NextAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.Bounded());

        var result = await _harness.RunAsync(Environment.NextAsync(None), "r1", "1", Work);

        Assert.Equal("1", Text(result.Payload));
    }
}
