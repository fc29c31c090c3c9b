using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>A runtime that exits mid-invocation: Runtime.ExitError for that one, a fresh runtime for the next.</summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class RuntimeCrashTests
{
    // Exits the runtime mid-invocation, leaving behind a child that still holds (and writes to) its stdout.
    private const string OrphaningHandler = """
        handler() {
          if [[ "$1" == *'"orphan"'* ]]; then
            ( while echo "orphan of $LAMBDA_REQUEST_ID"; do sleep 0.05; done ) &
            exit 3
          fi
          RESPONSE="$1"
        }
        """;

    [Theory]
    [MemberData(nameof(ConformanceRuntimes.NamesAndPaths), MemberType = typeof(ConformanceRuntimes))]
    public async Task Invoke_RuntimeExits_ExitErrorThenTheNextIsAColdStart(string runtime, InvokePath path)
    {
        await using var shim = await (await ConformanceRuntimes.GetAsync(runtime)).StartShimAsync();

        var crashed = await shim.InvokeAsync(path, """{"exit":3}""", "crashes-the-runtime");
        await shim.WaitUntilReadyAgainAsync();
        var next = await shim.InvokeAsync(path, "{}", "after-the-crash");

        ShimInvocations.AssertFunctionError(crashed, "Unhandled", "Runtime.ExitError", "Runtime exited with error: exit status 3");
        Assert.Contains($"conformance: request {crashed.RequestId}\n", crashed.LogTailText, StringComparison.Ordinal);
        ShimInvocations.AssertSucceeded(next, "{}"u8.ToArray(), "after-the-crash");
        ShimInvocations.AssertColdStart(next, coldStart: true);
    }

    [Theory]
    [InlineData(InvokePath.Contract)]
    [InlineData(InvokePath.Rie)]
    public async Task Invoke_RuntimeExitsLeavingAChildOnItsOutput_ShimStaysUpAndTheNextWorks(InvokePath path)
    {
        using var taskRoot = new TemporaryDirectory();
        var runtime = await ConformanceRuntimes.WithHandlerAsync(ConformanceRuntimes.Provided, taskRoot, OrphaningHandler);
        await using var shim = await runtime.StartShimAsync();

        var crashed = await shim.InvokeAsync(path, """{"orphan":true}""", "leaves-an-orphan");
        await shim.WaitUntilReadyAgainAsync();
        var next = await shim.InvokeAsync(path, "{}", "after-the-orphan");

        ShimInvocations.AssertFunctionError(crashed, "Unhandled", "Runtime.ExitError", "exit status 3");
        ShimInvocations.AssertSucceeded(next, "{}"u8.ToArray(), "after-the-orphan");
        ShimInvocations.AssertColdStart(next, coldStart: true);
        Assert.False(shim.Process.HasExited, $"the shim exited:\n{shim.Process.LogTail(40)}");
    }
}
