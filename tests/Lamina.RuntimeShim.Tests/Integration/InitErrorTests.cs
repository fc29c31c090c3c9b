using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>A runtime that cannot initialise: each invocation gets the init error, the shim restarts it between them.</summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class InitErrorTests
{
    [Theory]
    [MemberData(nameof(ConformanceRuntimes.NamesAndPaths), MemberType = typeof(ConformanceRuntimes))]
    public async Task Invoke_RuntimeFailsToInitialise_EveryInvocationGetsTheInitError(string runtime, InvokePath path)
    {
        var broken = (await ConformanceRuntimes.GetAsync(runtime)).With(("CONFORMANCE_INIT_ERROR", "the configuration is missing"));

        // Ready means "an invocation may come": with an init error waiting, it gets that error at once.
        await using var shim = await broken.StartShimAsync();
        Assert.True(await shim.IsReadyAsync(), "/readyz is not 200 with an init error waiting");
        var first = await shim.InvokeAsync(path, "{}", "first-after-init-error");
        await shim.WaitUntilReadyAgainAsync();
        var second = await shim.InvokeAsync(path, "{}", "second-after-init-error");

        foreach (var reply in new[] { first, second })
        {
            ShimInvocations.AssertFunctionError(reply, "Unhandled", "ConformanceInitError", "the configuration is missing");
            ShimInvocations.AssertColdStart(reply, coldStart: true);
        }

        // The second error came from a second runtime: the first was not asked again.
        Assert.Contains("Runtime 2 started", shim.Log(), StringComparison.Ordinal);
        using var health = await shim.GetAdminAsync("/healthz");
        Assert.True(health.IsSuccessStatusCode, $"/healthz answered {health.StatusCode}");
    }
}
