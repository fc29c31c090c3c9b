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
        AssertBudget(manifests, "gateway", apiVersion, "1");
    }

    [Theory]
    [InlineData("1.20", "1", null)]
    [InlineData("1.30", "1", null)]
    [InlineData("1.20", "2", "policy/v1beta1")]
    [InlineData("1.30", "2", "policy/v1")]
    public async Task Render_OperatorReplicas_BudgetOnlyWithTwoInTheServedVersion(string kube, string replicas, string? apiVersion)
    {
        var manifests = await ChartRender.RenderAsync(["--set", $"operator.replicas={replicas}", .. kube == "1.20" ? ChartRender.Kube120 : ChartRender.Kube130]);
        AssertBudget(manifests, "operator", apiVersion, "1");
    }

    [Theory]
    [InlineData("default@1.20", "policy/v1beta1")]
    [InlineData("default@1.30", "policy/v1")]
    public async Task Render_Defaults_TwoOperatorsWithABudgetKeepingOneUp(string render, string apiVersion)
    {
        var manifests = await ChartRender.NamedAsync(render);

        Assert.Equal("2", Yaml.At(ChartWorkloads.Workload(manifests, "operator").Root, "spec.replicas")?.ToString());
        AssertBudget(manifests, "operator", apiVersion, "1");
    }

    [Theory]
    [InlineData("full@1.20", "policy/v1beta1")]
    [InlineData("full@1.30", "policy/v1")]
    public async Task Render_FullValues_ThreeGatewaysAndTwoOperatorsHaveABudget(string render, string apiVersion)
    {
        var manifests = await ChartRender.NamedAsync(render);
        AssertBudget(manifests, "gateway", apiVersion, "2");
        AssertBudget(manifests, "operator", apiVersion, "1");
    }

    [Theory]
    [InlineData("gateway")]
    [InlineData("operator")]
    public async Task Render_BudgetDisabled_NoBudget(string component)
    {
        var manifests = await ChartRender.RenderAsync(["--set", $"{component}.podDisruptionBudget.enabled=false", .. ChartRender.Kube130]);
        Assert.Empty(Budgets(manifests, component));
    }

    private static List<Manifest> Budgets(IEnumerable<Manifest> manifests, string component) =>
        [.. manifests.Where(m => m.Kind == "PodDisruptionBudget" && Yaml.StringMap(m.Root, "metadata.labels").GetValueOrDefault("app.kubernetes.io/component") == component)];

    /// <summary>One budget of <paramref name="component"/> in <paramref name="apiVersion"/> over exactly its pods, or none when the version is null.</summary>
    private static void AssertBudget(IReadOnlyList<Manifest> manifests, string component, string? apiVersion, string minAvailable)
    {
        var budgets = Budgets(manifests, component);
        if (apiVersion is null)
        {
            Assert.Empty(budgets);
            return;
        }

        var budget = Assert.Single(budgets);
        Assert.Equal(apiVersion, budget.ApiVersion);
        Assert.Equal(minAvailable, Yaml.Str(budget.Root, "spec.minAvailable"));
        Assert.Equal(
            Yaml.StringMap(ChartWorkloads.Workload(manifests, component).Root, "spec.selector.matchLabels"),
            Yaml.StringMap(budget.Root, "spec.selector.matchLabels"));
    }
}
