using System.Text;
using System.Text.Json;
using Lamina.RuntimeShim.Execution;
using Lamina.Testing;
using Microsoft.Extensions.Time.Testing;
using static Lamina.RuntimeShim.Tests.Execution.EnvironmentHarness;

namespace Lamina.RuntimeShim.Tests.Execution;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ExecutionEnvironmentTests : IDisposable
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

    // ---------------------------------------------------------------- one invocation

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

    // ---------------------------------------------------------------- how invocations end

    [Fact]
    public async Task CompleteAsync_HandledFunctionError_CallerGetsHandledWithTheErrorType()
    {
        const string document = """{"errorMessage":"bad input","errorType":"ValueError","stackTrace":[]}""";
        var next = _harness.StartInitialisedRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();

        await Environment.CompleteAsync("r1", Encoding.UTF8.GetBytes(document), FunctionErrors.Handled, "ValueError").Bounded();
        var result = Completed(await invoke.Bounded());

        Assert.Equal(FunctionErrors.Handled, result.FunctionError);
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

        Assert.Equal(FunctionErrors.Unhandled, result.FunctionError);
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

        Assert.Equal(FunctionErrors.Unhandled, result.FunctionError);
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

    // ---------------------------------------------------------------- initialisation failures

    [Fact]
    public async Task ReportInitError_BeforeFirstNext_NextInvocationGetsTheErrorAndTheRuntimeIsReset()
    {
        const string document = """{"errorMessage":"Unable to import module 'app'","errorType":"Runtime.ImportModuleError"}""";
        var generation = _harness.StartRuntime();
        Environment.OnRuntimeOutput("Traceback: no module named app\n"u8);
        Time.Advance(TimeSpan.FromMilliseconds(120));

        Environment.ReportInitError(new LambdaError("Unable to import module 'app'", "Runtime.ImportModuleError"), Encoding.UTF8.GetBytes(document));
        Environment.OnRuntimeExited(generation, "exit status 1");

        Assert.True(Environment.IsReady);
        var restart = Environment.WaitForRestartPermissionAsync(None);
        Assert.False(restart.IsCompleted);
        Assert.Equal(0, _harness.Runtime.Resets);

        var result = Completed(await Environment.InvokeAsync(Request("r1"), waitForInit: false, None).Bounded());
        Assert.Equal(FunctionErrors.Unhandled, result.FunctionError);
        Assert.Equal("Runtime.ImportModuleError", result.ErrorType);
        Assert.Equal(document, Text(result.Payload));
        Assert.True(result.ColdStart);
        Assert.Equal(TimeSpan.FromMilliseconds(120), result.InitDuration);
        Assert.Equal(1, _harness.Runtime.Resets);
        await restart.Bounded();
        Assert.False(Environment.IsReady);
    }

    [Fact]
    public async Task InvokeAsync_InitErrorTaken_RuntimeResetBeforeTheRestartIsAllowed()
    {
        // The other order would let the supervisor start the next runtime and the reset kill it.
        var generation = _harness.StartRuntime();
        Environment.ReportInitError(new LambdaError("boom", "Runtime.Unknown"), body: null);
        Environment.OnRuntimeExited(generation, "exit status 1");
        var restart = Environment.WaitForRestartPermissionAsync(None);
        bool? allowedAtReset = null;
        _harness.Runtime.OnReset = () => allowedAtReset = restart.IsCompleted;

        _ = Completed(await Environment.InvokeAsync(Request("r1"), waitForInit: false, None).Bounded());

        Assert.False(allowedAtReset);
        await restart.Bounded();
    }

    [Fact]
    public async Task InvokeAsync_InitErrorTakenWhileTheNextRuntimeStarts_ResetsOnlyTheRuntimeThatFailed()
    {
        // The flaky InitErrorTests run: the failed runtime exits by itself just as its error is taken; the
        // supervisor, with no error left to wait for, starts the next runtime before the reset is made.
        // A reset of "whatever runs now" killed that newcomer, whose exit became the next invocation's
        // Runtime.ExitError "signal: killed" instead of its own init error.
        var failed = _harness.StartRuntime();
        Environment.ReportInitError(new LambdaError("the configuration is missing", "ConformanceInitError"), body: null);
        RuntimeGeneration? successor = null;
        _harness.Runtime.OnReset = () =>
        {
            _harness.Runtime.OnReset = null;
            Environment.OnRuntimeExited(failed, "exit status 1");
            if (Environment.WaitForRestartPermissionAsync(None).IsCompletedSuccessfully)
            {
                successor = _harness.StartRuntime();
            }
        };

        var first = Completed(await Environment.InvokeAsync(Request("r1"), waitForInit: false, None).Bounded());
        Time.Advance(TimeSpan.FromMilliseconds(300));
        Environment.ReportInitError(new LambdaError("the configuration is missing", "ConformanceInitError"), body: null);
        var second = Completed(await Environment.InvokeAsync(Request("r2"), waitForInit: false, None).Bounded());

        Assert.NotNull(successor);
        Assert.Equal([failed, successor], _harness.Runtime.ResetGenerations);
        Assert.Equal("ConformanceInitError", first.ErrorType);
        Assert.Equal("ConformanceInitError", second.ErrorType);
        Assert.Equal(TimeSpan.FromMilliseconds(300), second.InitDuration);
        Assert.Equal(2, _harness.Metrics.Sum("lamina_init_failures_total"));
    }

    [Fact]
    public async Task ReportInitError_WithoutABody_CallerGetsTheErrorAsJson()
    {
        _harness.StartRuntime();
        Environment.ReportInitError(new LambdaError("bad handler", "Runtime.InvalidEntrypoint"), body: null);

        var result = Completed(await Environment.InvokeAsync(Request("r1"), waitForInit: false, None).Bounded());

        Assert.Equal(("bad handler", "Runtime.InvalidEntrypoint"), ReadError(result.Payload));
    }

    [Fact]
    public async Task ReportInitError_InvocationWaitingForInit_GetsTheError()
    {
        _harness.StartRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: true, None);

        Environment.ReportInitError(new LambdaError("boom", "Runtime.Unknown"), body: null);

        var result = Completed(await invoke.Bounded());
        Assert.Equal("Runtime.Unknown", result.ErrorType);
    }

    [Fact]
    public async Task ReportInitError_ErrorTakenOnce_LaterInvocationsWaitForTheNextRuntime()
    {
        _harness.StartRuntime();
        Environment.ReportInitError(new LambdaError("boom", "Runtime.Unknown"), body: null);
        await Environment.InvokeAsync(Request("r1"), waitForInit: false, None).Bounded();

        var again = await Environment.InvokeAsync(Request("r2"), waitForInit: false, None).Bounded();
        Environment.OnRuntimeExited(_harness.Generation!, "exit status 1");
        var result = await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r3", "3", Work);

        Assert.IsType<InvokeOutcome.Unavailable>(again);
        Assert.Null(result.FunctionError);
        Assert.True(result.ColdStart);
    }

    [Fact]
    public async Task OnRuntimeExited_BeforeFirstNext_NextInvocationGetsARuntimeExitError()
    {
        var generation = _harness.StartRuntime();
        Environment.OnRuntimeOutput("fatal: config missing\n"u8);

        Environment.OnRuntimeExited(generation, "exit status 2");

        Assert.True(Environment.IsReady);
        var result = Completed(await Environment.InvokeAsync(Request("r1"), waitForInit: false, None).Bounded());
        Assert.Equal(FunctionErrors.Unhandled, result.FunctionError);
        Assert.Equal("Runtime.ExitError", result.ErrorType);
        var (message, type) = ReadError(result.Payload);
        Assert.Equal("RequestId: (init) Error: Runtime exited with error: exit status 2", message);
        Assert.Equal("Runtime.ExitError", type);
        Assert.StartsWith("fatal: config missing\nSTART RequestId: r1 Version: $LATEST\n", Text(result.LogTail), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForRestartPermissionAsync_NoInitError_CompletesAtOnce()
    {
        var generation = _harness.StartRuntime();
        await _harness.RunAsync(Environment.NextAsync(None), "r1", "1", Work);
        Environment.OnRuntimeExited(generation, "exit status 0");

        Assert.True(Environment.WaitForRestartPermissionAsync(None).IsCompletedSuccessfully);
    }

    // ---------------------------------------------------------------- Runtime API refusals

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

    // ---------------------------------------------------------------- logs

    [Fact]
    public async Task CompleteAsync_RuntimeWroteOutput_LogTailHasItBetweenStartAndReport()
    {
        var next = _harness.StartInitialisedRuntime();
        var invoke = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();

        Environment.OnRuntimeOutput("working on it\n"u8);
        Time.Advance(Work);
        await Environment.CompleteAsync("r1", "1"u8.ToArray(), functionError: null, errorType: null).Bounded();
        var result = Completed(await invoke.Bounded());

        Assert.Equal(
            "START RequestId: r1 Version: $LATEST\n"
            + "working on it\n"
            + "END RequestId: r1\n"
            + "REPORT RequestId: r1\tDuration: 40.00 ms\tBilled Duration: 40 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tInit Duration: 250.00 ms\n",
            Text(result.LogTail));
    }

    [Fact]
    public async Task CompleteAsync_Always_FunctionLogGetsStartEndAndReportLines()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        await _harness.RunAsync(Environment.NextAsync(None), "r2", "2", Work);

        Assert.Equal(
            [
                "START RequestId: r1 Version: $LATEST",
                "END RequestId: r1",
                "REPORT RequestId: r1\tDuration: 40.00 ms\tBilled Duration: 40 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tInit Duration: 250.00 ms",
                "START RequestId: r2 Version: $LATEST",
                "END RequestId: r2",
                "REPORT RequestId: r2\tDuration: 40.00 ms\tBilled Duration: 40 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB",
            ],
            _harness.Log.Lines);
    }

    [Fact]
    public async Task OnRuntimeOutput_BetweenInvocations_NotInTheNextInvocationsTail()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        Environment.OnRuntimeOutput("idle chatter\n"u8);

        var result = await _harness.RunAsync(Environment.NextAsync(None), "r2", "2", Work);

        Assert.DoesNotContain("idle chatter", Text(result.LogTail), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_InitErrorWithOutput_TailHasTheInitOutputThenStartAndReport()
    {
        _harness.StartRuntime();
        Environment.OnRuntimeOutput("loading app\n"u8);
        Environment.ReportInitError(new LambdaError("boom", "Runtime.ImportModuleError"), body: null);

        var result = Completed(await Environment.InvokeAsync(Request("r1"), waitForInit: false, None).Bounded());

        var tail = Text(result.LogTail);
        Assert.StartsWith("loading app\nSTART RequestId: r1 Version: $LATEST\nEND RequestId: r1\nREPORT RequestId: r1\t", tail, StringComparison.Ordinal);
        Assert.EndsWith("\tStatus: error\tError Type: Runtime.ImportModuleError\n", tail, StringComparison.Ordinal);
        Assert.Contains("START RequestId: r1 Version: $LATEST", _harness.Log.Lines);
        Assert.Contains(_harness.Log.Lines, line => line.StartsWith("REPORT RequestId: r1\t", StringComparison.Ordinal));
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

    // ---------------------------------------------------------------- metrics

    [Fact]
    public async Task InvokeAsync_Invocations_CountedByNamespaceFunctionAndInvocationType()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        var next = Environment.NextAsync(None);
        var invoke = Environment.InvokeAsync(Request("r2") with { InvocationType = InvocationTypes.Event }, waitForInit: false, None);
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
        // r1 succeeds, r2 fails Handled, r3 times out (Unhandled), r4 meets the crashed runtime's init error (Unhandled).
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", Work);
        var next = Environment.NextAsync(None);
        var handled = Environment.InvokeAsync(Request("r2"), waitForInit: false, None);
        await next.Bounded();
        await Environment.CompleteAsync("r2", """{"errorMessage":"no","errorType":"E"}"""u8.ToArray(), FunctionErrors.Handled, "E").Bounded();
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
        Assert.Equal(1, _harness.Metrics.Sum("lamina_errors_total", ("namespace", "team-a"), ("function", "hello"), ("error_type", "Handled")));
        Assert.Equal(2, _harness.Metrics.Sum("lamina_errors_total", ("namespace", "team-a"), ("function", "hello"), ("error_type", "Unhandled")));
        Assert.Equal(4, _harness.Metrics.Sum("lamina_invocations_total"));
        Assert.Equal(2, _harness.Metrics.Sum("lamina_cold_starts_total"));
        Assert.Equal(1, _harness.Metrics.Sum("lamina_runtime_restarts_total", ("reason", "timeout")));
        Assert.Equal(1, _harness.Metrics.Sum("lamina_init_failures_total"));
    }

    private static (string Message, string Type) ReadError(ReadOnlyMemory<byte> payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        return (root.GetProperty("errorMessage").GetString()!, root.GetProperty("errorType").GetString()!);
    }
}
