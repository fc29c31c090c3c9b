using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>What routing measures per function.</summary>
public sealed partial class InvocationRouterTests
{
    [Fact]
    public async Task Metrics_LeasesHeld_GaugePerFunction()
    {
        await using var harness = new RouterHarness();
        await harness.AddIdleShimAsync("hello-1");
        await harness.AddIdleShimAsync("hello-2");
        Assert.Equal(2, harness.Meters.Observe(RoutingMetrics.Leases, ("namespace", "team-a"), ("function", "hello")));

        harness.Router.Revoke("lease-hello-1");

        Assert.Equal(1, harness.Meters.Observe(RoutingMetrics.Leases, ("namespace", "team-a"), ("function", "hello")));
        Assert.Equal(["function", "namespace"], harness.Meters.LabelNames(RoutingMetrics.Leases));
    }

    [Fact]
    public async Task Metrics_ProvisionedEnvironment_CountedAsProvisionedNotSpillover()
    {
        await using var harness = new RouterHarness();
        harness.Catalog.Provisioned[("team-a", "hello")] = 1;
        await harness.AddIdleShimAsync("hello-pc-1", provisioned: true);

        Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());

        Assert.Equal([1.0], harness.Meters.Recorded(RoutingMetrics.ProvisionedInvocations, ("namespace", "team-a"), ("function", "hello")));
        Assert.Empty(harness.Meters.Recorded(RoutingMetrics.SpilloverInvocations, ("namespace", "team-a"), ("function", "hello")));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public async Task Metrics_OnDemandEnvironment_SpilloverOnlyWhenTheFunctionHasProvisionedConcurrency(int provisioned, int expectedSpillovers)
    {
        await using var harness = new RouterHarness();
        harness.Catalog.Provisioned[("team-a", "hello")] = provisioned;
        await harness.AddIdleShimAsync("hello-1");

        Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());

        Assert.Equal(expectedSpillovers, harness.Meters.Recorded(RoutingMetrics.SpilloverInvocations, ("namespace", "team-a"), ("function", "hello")).Count);
        Assert.Empty(harness.Meters.Recorded(RoutingMetrics.ProvisionedInvocations, ("namespace", "team-a"), ("function", "hello")));
    }
}
