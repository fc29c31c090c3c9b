using Lamina.Testing;

namespace Lamina.Chart.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartPodDisruptionBudgetTests
{
    [Theory]
    [InlineData("1.20", "1", null)]
    [InlineData("1.30", "1", null)]
    [InlineData("1.20", "2", "policy/v1beta1")]
    [InlineData("1.30", "2", "policy/v1")]
    [InlineData("1.20", "3", "policy/v1beta1")]
    [InlineData("1.30", "3", "policy/v1")]
    public async Task Render_GatewayReplicas_BudgetOnlyFromTwoInTheServedVersion(string kube, string replicas, string? apiVersion)
    {
        var manifests = await ChartRender.RenderAsync(["--set", $"gateway.replicas={replicas}", .. kube == "1.20" ? ChartRender.Kube120 : ChartRender.Kube130]);
        var budgets = manifests.Where(m => m.Kind == "PodDisruptionBudget").ToList();
        if (apiVersion is null)
        {
            Assert.Empty(budgets);
            return;
        }

        var budget = Assert.Single(budgets);
        Assert.Equal(apiVersion, budget.ApiVersion);
        Assert.Equal("1", Yaml.Str(budget.Root, "spec.minAvailable"));
        Assert.Equal(
            Yaml.StringMap(ChartWorkloads.Workload(manifests, "gateway").Root, "spec.selector.matchLabels"),
            Yaml.StringMap(budget.Root, "spec.selector.matchLabels"));
    }

    [Theory]
    [InlineData("full@1.20", "policy/v1beta1")]
    [InlineData("full@1.30", "policy/v1")]
    public async Task Render_FullValues_ThreeGatewaysHaveABudget(string render, string apiVersion)
    {
        var budget = Assert.Single(await ChartRender.NamedAsync(render), m => m.Kind == "PodDisruptionBudget");
        Assert.Equal(apiVersion, budget.ApiVersion);
        Assert.Equal("2", Yaml.Str(budget.Root, "spec.minAvailable"));
    }

    [Fact]
    public async Task Render_BudgetDisabled_NoBudget()
    {
        var manifests = await ChartRender.RenderAsync(["--set", "gateway.podDisruptionBudget.enabled=false", .. ChartRender.Kube130]);
        Assert.DoesNotContain(manifests, m => m.Kind == "PodDisruptionBudget");
    }
}
