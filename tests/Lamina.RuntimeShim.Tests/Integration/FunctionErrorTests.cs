using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>An error the function reports through the Runtime API is Unhandled, as in Lambda, and still HTTP 200.</summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class FunctionErrorTests
{
    [Theory]
    [MemberData(nameof(ConformanceRuntimes.NamesAndPaths), MemberType = typeof(ConformanceRuntimes))]
    public async Task Invoke_FunctionFails_Answers200UnhandledWithTheMessage(string runtime, InvokePath path)
    {
        await using var shim = await (await ConformanceRuntimes.GetAsync(runtime)).StartShimAsync();

        var failed = await shim.InvokeAsync(path, """{"fail":"the handler said no"}""", "failing-request");
        var next = await shim.InvokeAsync(path, "{}");

        ShimInvocations.AssertFunctionError(failed, "Unhandled", "ConformanceError", "the handler said no");
        ShimInvocations.AssertSucceeded(next, "{}"u8.ToArray());
        ShimInvocations.AssertColdStart(next, coldStart: false);
    }
}
