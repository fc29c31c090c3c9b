using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>
/// How the chart stops a gateway and bounds it (issue 19): the grace period, the gateway's own
/// shutdown timeout 5 s inside it, the drain delay, and Kestrel's limits and the body budget.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartGatewayStopTests
{
    [Fact]
    public async Task Render_Defaults_ShutdownTimeoutInsideTheGracePeriodAndNoPreStop()
    {
        var manifests = await ChartRender.RenderAsync(ChartRender.Kube120);
        var gateway = ChartWorkloads.Workload(manifests, "gateway");
        var container = ChartWorkloads.Container(manifests, "gateway");

        Assert.Equal("30", Yaml.At(gateway.Root, "spec.template.spec.terminationGracePeriodSeconds")?.ToString());
        Assert.Equal("0:00:25", Yaml.Env(container, "Lamina__Gateway__Shutdown__Timeout"));
        Assert.Equal("0:00:05", Yaml.Env(container, "Lamina__Gateway__Shutdown__DrainDelay"));
        // The image has no shell or sleep (and Kubernetes 1.20 no sleep action): the gateway drains itself after SIGTERM.
        Assert.Null(Yaml.At(container, "lifecycle"));
        Assert.Equal("2048", Yaml.Env(container, "Lamina__Gateway__Server__MaxConcurrentConnections"));
        Assert.Equal((192L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), Yaml.Env(container, "Lamina__Gateway__Server__BodyBufferBudgetBytes"));
        Assert.Equal("65536", Yaml.Env(container, "Lamina__Gateway__Server__MinRequestBodyDataRate"));
        Assert.Equal("0:00:10", Yaml.Env(container, "Lamina__Gateway__Server__RequestHeadersTimeout"));
        Assert.Equal("0:01:05", Yaml.Env(container, "Lamina__Gateway__Server__KeepAliveTimeout"));
    }

    [Fact]
    public async Task Render_FullValues_EverySettingReachesTheGateway()
    {
        var manifests = await ChartRender.NamedAsync("full@1.20");
        var container = ChartWorkloads.Container(manifests, "gateway");

        Assert.Equal("0:00:55", Yaml.Env(container, "Lamina__Gateway__Shutdown__Timeout"));
        Assert.Equal("0:00:10", Yaml.Env(container, "Lamina__Gateway__Shutdown__DrainDelay"));
        Assert.Equal("500", Yaml.Env(container, "Lamina__Gateway__Server__MaxConcurrentConnections"));
        Assert.Equal((384L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), Yaml.Env(container, "Lamina__Gateway__Server__BodyBufferBudgetBytes"));
        Assert.Equal("131072", Yaml.Env(container, "Lamina__Gateway__Server__MinRequestBodyDataRate"));
        Assert.Equal("0:00:05", Yaml.Env(container, "Lamina__Gateway__Server__RequestHeadersTimeout"));
        Assert.Equal("0:01:30", Yaml.Env(container, "Lamina__Gateway__Server__KeepAliveTimeout"));
    }

    [Fact]
    public async Task Render_GracePeriodTooShortForTheDrain_RefusedNamingBoth()
    {
        var result = await ChartRender.TryRenderAsync("--set", "gateway.terminationGracePeriodSeconds=12", "--set", "gateway.shutdown.drainDelaySeconds=5");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("gateway.terminationGracePeriodSeconds (12) must be at least gateway.shutdown.drainDelaySeconds (5) + 8", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_BudgetUnderOneBody_RefusedBySchema()
    {
        var result = await ChartRender.TryRenderAsync("--set", "gateway.limits.bodyBufferBudgetMiB=2");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("bodyBufferBudgetMiB", result.Stderr, StringComparison.Ordinal);
    }
}
