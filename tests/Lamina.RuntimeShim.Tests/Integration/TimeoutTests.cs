using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>An invocation past the function's timeout ends as Sandbox.Timedout, and the environment is reset.</summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class TimeoutTests
{
    [Theory]
    [MemberData(nameof(ConformanceRuntimes.NamesAndPaths), MemberType = typeof(ConformanceRuntimes))]
    public async Task Invoke_PastTheTimeout_TimesOutAndTheNextIsAColdStart(string runtime, InvokePath path)
    {
        await using var shim = await (await ConformanceRuntimes.GetAsync(runtime)).StartShimAsync(timeoutSeconds: 1);

        // Ten minutes of sleep: only the shim's deadline can end this invocation.
        var timedOut = await shim.InvokeAsync(path, """{"sleepMs":600000}""", "sleeps-too-long");
        await shim.WaitUntilReadyAgainAsync();
        var next = await shim.InvokeAsync(path, "{}", "after-the-timeout");

        ShimInvocations.AssertFunctionError(timedOut, "Unhandled", "Sandbox.Timedout", "Task timed out after 1.00 seconds");
        Assert.Contains($"{timedOut.RequestId} Task timed out after 1.00 seconds\n", timedOut.LogTailText, StringComparison.Ordinal);
        ShimInvocations.AssertSucceeded(next, "{}"u8.ToArray(), "after-the-timeout");
        ShimInvocations.AssertColdStart(next, coldStart: true);
    }
}
