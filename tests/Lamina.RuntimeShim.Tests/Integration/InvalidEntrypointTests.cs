using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>A runtime command that cannot be executed: Runtime.InvalidEntrypoint for the caller, and the shim stays up.</summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class InvalidEntrypointTests
{
    [Theory]
    [InlineData(InvokePath.Contract)]
    [InlineData(InvokePath.Rie)]
    public async Task Invoke_RuntimeCommandDoesNotExist_InvalidEntrypointAndTheShimStaysUp(InvokePath path)
    {
        using var folder = new TemporaryDirectory();
        var missing = Path.Combine(folder.Path, "no-such-bootstrap");

        // Ready: the error waits for the first invocation, as Lambda reports a bad entrypoint to it.
        await using var shim = await ShimProcess.StartAsync([missing]);
        Assert.True(await shim.IsReadyAsync(), "/readyz is not 200 with the entrypoint error waiting");
        var first = await shim.InvokeAsync(path, "{}", "meets-a-missing-runtime");
        await shim.WaitUntilReadyAgainAsync();
        var second = await shim.InvokeAsync(path, "{}", "meets-it-again");

        foreach (var reply in new[] { first, second })
        {
            ShimInvocations.AssertFunctionError(reply, "Unhandled", "Runtime.InvalidEntrypoint", missing);
        }

        Assert.False(shim.Process.HasExited, $"the shim exited:\n{shim.Process.LogTail(40)}");
        using var health = await shim.GetAdminAsync("/healthz");
        Assert.True(health.IsSuccessStatusCode, $"/healthz answered {health.StatusCode}");
    }
}
