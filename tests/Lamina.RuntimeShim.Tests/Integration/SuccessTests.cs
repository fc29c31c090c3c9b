using System.Text;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>The shim as a real process runs a real runtime's invocations: the happy path.</summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class SuccessTests
{
    // Compact JSON with non-ASCII text: the Node runtime re-serialises the event, and this survives that byte for byte.
    private static readonly byte[] Event = Encoding.UTF8.GetBytes("""{"message":"héllo, wörld ✓","n":42,"list":[1,2.5,true,null,{"nested":"x"}],"empty":{}}""");

    [Theory]
    [MemberData(nameof(ConformanceRuntimes.NamesAndPaths), MemberType = typeof(ConformanceRuntimes))]
    public async Task Invoke_TwiceInARow_ReturnsThePayloadColdThenWarm(string runtime, InvokePath path)
    {
        await using var shim = await (await ConformanceRuntimes.GetAsync(runtime)).StartShimAsync();

        var first = await shim.InvokeAsync(path, Event, "first-request-1");
        var second = await shim.InvokeAsync(path, Event, "second-request-2");

        ShimInvocations.AssertSucceeded(first, Event, "first-request-1");
        ShimInvocations.AssertColdStart(first, coldStart: true);
        ShimInvocations.AssertSucceeded(second, Event, "second-request-2");
        ShimInvocations.AssertColdStart(second, coldStart: false);
        foreach (var reply in new[] { first, second })
        {
            var id = reply.RequestId!;
            Assert.StartsWith($"START RequestId: {id} Version: $LATEST\n", reply.LogTailText, StringComparison.Ordinal);
            Assert.Contains($"conformance: request {id}\n", reply.LogTailText, StringComparison.Ordinal);
            Assert.Contains($"\nEND RequestId: {id}\nREPORT RequestId: {id}\t", reply.LogTailText, StringComparison.Ordinal);
            await shim.WaitForLogAsync($"conformance: request {id}\n", ShimInvocations.ReadyTimeout);
            await shim.WaitForLogAsync($"REPORT RequestId: {id}\t", ShimInvocations.ReadyTimeout);
        }

        Assert.NotEqual(first.RequestId, second.RequestId);
    }
}
