using Lamina.Testing;

namespace Lamina.Chart.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartNetworkPolicyTests
{
    [Fact]
    public async Task Render_Defaults_NoPolicies()
    {
        Assert.DoesNotContain(await ChartRender.RenderAsync(ChartRender.Kube120), m => m.Kind == "NetworkPolicy");
    }

    [Fact]
    public async Task Render_Enabled_IngressAsSpecifiedEgressOpen()
    {
        var manifests = await ChartRender.RenderAsync("--set", "networkPolicy.enabled=true");
        var policies = manifests.Where(m => m.Kind == "NetworkPolicy").ToDictionary(m => Component(m));
        Assert.Equal(["gateway", "operator", "redis"], policies.Keys.Order());
        var gatewayPods = Selector(manifests, "gateway");
        foreach (var (component, policy) in policies)
        {
            Assert.Equal(Selector(manifests, component), Yaml.StringMap(policy.Root, "spec.podSelector.matchLabels"));
            Assert.Equal(["Ingress"], Yaml.List(policy.Root, "spec.policyTypes").Cast<string>());
        }

        // Gateway 8080 from anywhere (no from).
        var gatewayRule = Assert.Single(Yaml.Maps(policies["gateway"].Root, "spec.ingress"));
        Assert.Equal(["8080"], Ports(gatewayRule));
        Assert.Empty(Yaml.List(gatewayRule, "from"));

        // Operator: gRPC from gateway pods only, HTTP from anywhere.
        var operatorRules = Yaml.Maps(policies["operator"].Root, "spec.ingress").ToList();
        Assert.Equal(2, operatorRules.Count);
        var grpc = operatorRules.Single(r => Ports(r).SequenceEqual(["8082"]));
        Assert.Equal(gatewayPods, Yaml.StringMap(Assert.Single(Yaml.Maps(grpc, "from")), "podSelector.matchLabels"));
        Assert.Null(Yaml.At(Yaml.Maps(grpc, "from").Single(), "namespaceSelector"));
        var http = operatorRules.Single(r => Ports(r).SequenceEqual(["8081"]));
        Assert.Empty(Yaml.List(http, "from"));

        // Redis from gateway pods only.
        var redis = Assert.Single(Yaml.Maps(policies["redis"].Root, "spec.ingress"));
        Assert.Equal(["6379"], Ports(redis));
        Assert.Equal(gatewayPods, Yaml.StringMap(Assert.Single(Yaml.Maps(redis, "from")), "podSelector.matchLabels"));
    }

    [Fact]
    public async Task Render_FullValues_ConfiguredPeers()
    {
        var manifests = await ChartRender.NamedAsync("full@1.20");
        var policies = manifests.Where(m => m.Kind == "NetworkPolicy").ToDictionary(m => Component(m));
        var gatewayRule = Assert.Single(Yaml.Maps(policies["gateway"].Root, "spec.ingress"));
        Assert.Equal(["9080"], Ports(gatewayRule));
        Assert.Equal(2, Yaml.List(gatewayRule, "from").Count);
        var http = Yaml.Maps(policies["operator"].Root, "spec.ingress").Single(r => Ports(r).SequenceEqual(["9081"]));
        Assert.Equal("monitoring", Yaml.StringMap(Assert.Single(Yaml.Maps(http, "from")), "namespaceSelector.matchLabels")["kubernetes.io/metadata.name"]);
        var grpc = Yaml.Maps(policies["operator"].Root, "spec.ingress").Single(r => Ports(r).SequenceEqual(["9082"]));
        Assert.Equal(Selector(manifests, "gateway"), Yaml.StringMap(Assert.Single(Yaml.Maps(grpc, "from")), "podSelector.matchLabels"));
    }

    private static string Component(Manifest m) => Yaml.StringMap(m.Root, "metadata.labels")["app.kubernetes.io/component"];

    private static IReadOnlyDictionary<string, string> Selector(IReadOnlyList<Manifest> manifests, string component) =>
        Yaml.StringMap(ChartWorkloads.Workload(manifests, component).Root, "spec.selector.matchLabels");

    private static List<string> Ports(Dictionary<object, object> rule) => [.. Yaml.Maps(rule, "ports").Select(p => Yaml.Str(p, "port")!)];
}
