using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>
/// Issue 19, item 9: one operator replica was an outage once its pod was gone for longer than the
/// gateways' leases last. Two by default, kept apart by a preferred podAntiAffinity unless the admin
/// gives an affinity of their own.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartOperatorHighAvailabilityTests
{
    [Theory]
    [InlineData("default@1.20")]
    [InlineData("default@1.30")]
    public async Task Render_Defaults_TwoOperatorsPreferringDifferentNodes(string render)
    {
        var operatorWorkload = ChartWorkloads.Workload(await ChartRender.NamedAsync(render), "operator").Root;

        Assert.Equal("2", Yaml.Str(operatorWorkload, "spec.replicas"));
        var preferred = Assert.Single(Yaml.Maps(operatorWorkload, "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution"));
        Assert.Equal("kubernetes.io/hostname", Yaml.Str(preferred, "podAffinityTerm.topologyKey"));
        Assert.Equal(
            Yaml.StringMap(operatorWorkload, "spec.selector.matchLabels"),
            Yaml.StringMap(preferred, "podAffinityTerm.labelSelector.matchLabels"));
        // Preferred only: a single node (the local cluster) still runs both.
        Assert.Null(Yaml.At(operatorWorkload, "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution"));
    }

    [Theory]
    [InlineData("operator.replicas=1")]
    [InlineData("operator.spreadAcrossNodes=false")]
    public async Task Render_OneReplicaOrSpreadOff_NoAffinity(string setting)
    {
        var operatorWorkload = ChartWorkloads.Workload(await ChartRender.RenderAsync(["--set", setting, .. ChartRender.Kube130]), "operator").Root;

        Assert.Null(Yaml.At(operatorWorkload, "spec.template.spec.affinity"));
    }

    [Fact]
    public async Task Render_OwnAffinity_ReplacesTheDefault()
    {
        var operatorWorkload = ChartWorkloads.Workload(await ChartRender.NamedAsync("full@1.30"), "operator").Root;

        Assert.NotNull(Yaml.Map(operatorWorkload, "spec.template.spec.affinity.nodeAffinity"));
        Assert.Null(Yaml.At(operatorWorkload, "spec.template.spec.affinity.podAntiAffinity"));
    }
}
