using System.Net;
using Lamina.Contracts.Shim;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>One invocation at a time: a second one is refused at once, never queued.</summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class ConcurrencyTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [MemberData(nameof(ConformanceRuntimes.NamesAndPaths), MemberType = typeof(ConformanceRuntimes))]
    public async Task Invoke_WhileAnotherRuns_IsRefusedBusyOnBothPaths(string runtime, InvokePath path)
    {
        await using var shim = await (await ConformanceRuntimes.GetAsync(runtime)).StartShimAsync();
        using var witness = Witness.Start(holdStarts: true);
        var payload = witness.Payload();

        var running = shim.InvokeAsync(path, payload, "holds-the-environment");
        await witness.Started.WaitAsync(StartTimeout);
        // The invocation is inside the handler, held there by the witness: both of these must answer without waiting for it.
        var contract = await shim.InvokeAsync(InvokePath.Contract, "{}", "refused-busy");
        var rie = await shim.InvokeAsync(InvokePath.Rie, "{}");
        Assert.False(running.IsCompleted, "the held invocation ended before it was released");
        witness.Release();
        var held = await running;

        Assert.True(contract.Status == HttpStatusCode.TooManyRequests, $"contract path: {contract}");
        Assert.Equal(ShimInvokeContract.Statuses.Busy, contract.LaminaStatus);
        Assert.True(rie.Status == HttpStatusCode.TooManyRequests, $"RIE path: {rie}");
        Assert.Equal("TooManyRequestsException", rie.ServiceError);
        Assert.Contains("\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\"", rie.Text, StringComparison.Ordinal);
        ShimInvocations.AssertSucceeded(held, System.Text.Encoding.UTF8.GetBytes(payload), "holds-the-environment");
        Assert.Equal(held.RequestId, await witness.Started);
    }
}
