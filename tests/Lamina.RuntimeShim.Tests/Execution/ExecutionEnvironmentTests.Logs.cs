using Lamina.RuntimeShim.Execution;
using static Lamina.RuntimeShim.Tests.Execution.EnvironmentHarness;

namespace Lamina.RuntimeShim.Tests.Execution;

/// <summary>The function's log and each invocation's tail: the runtime's output and the START, END and REPORT lines.</summary>
public sealed partial class ExecutionEnvironmentTests
{
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
}
