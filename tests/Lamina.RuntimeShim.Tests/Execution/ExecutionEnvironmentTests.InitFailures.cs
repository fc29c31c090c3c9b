using System.Text;
using Lamina.Contracts.Lambda;
using Lamina.RuntimeShim.Execution;
using static Lamina.RuntimeShim.Tests.Execution.EnvironmentHarness;

namespace Lamina.RuntimeShim.Tests.Execution;

/// <summary>Initialisation failures: reported or a runtime exiting before its first <c>next</c>, given to the next invocation, then the reset.</summary>
public sealed partial class ExecutionEnvironmentTests
{
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
        Assert.Equal(LambdaInvokeApi.FunctionErrors.Unhandled, result.FunctionError);
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
        Assert.Equal(LambdaInvokeApi.FunctionErrors.Unhandled, result.FunctionError);
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
}
