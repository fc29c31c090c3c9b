using Lamina.Testing;

namespace Lamina.Chart.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartNetworkPolicyTests
{
    [Fact]
    public async Task Render_Disabled_NoPolicies()
    {
        Assert.DoesNotContain(await ChartRender.RenderAsync("--set", "networkPolicy.enabled=false"), m => m.Kind == "NetworkPolicy");
    }

    [Fact]
    public async Task Render_Defaults_IngressAsSpecifiedEgressOpen()
    {
        // On by default: the controller, Redis and the function pods admit the gateways and workers only.
        var manifests = await ChartRender.RenderAsync(ChartRender.Kube120);
        var policies = manifests.Where(m => m.Kind == "NetworkPolicy").ToDictionary(m => Component(m));
        Assert.Equal(["code-store", "functions", "gateway", "operator", "redis", "worker"], policies.Keys.Order());
        var gatewayPods = Selector(manifests, "gateway");
        var workerPods = Selector(manifests, "worker");
        IReadOnlyDictionary<string, string>[] callers = [gatewayPods, workerPods];
        foreach (var (component, policy) in policies.Where(p => p.Key != "functions"))
        {
            Assert.Equal(Selector(manifests, component), Yaml.StringMap(policy.Root, "spec.podSelector.matchLabels"));
            Assert.Equal(["Ingress"], Yaml.List(policy.Root, "spec.policyTypes").Cast<string>());
        }

        // Gateway 8080 from anywhere (no from); the code port from function pods of any namespace.
        var gatewayRules = Yaml.Maps(policies["gateway"].Root, "spec.ingress").ToList();
        Assert.Equal(2, gatewayRules.Count);
        var gatewayRule = gatewayRules.Single(r => Ports(r).SequenceEqual(["8080"]));
        Assert.Empty(Yaml.List(gatewayRule, "from"));
        AssertCodePortFromFunctionPodsOnly(gatewayRules);

        // Workers: their HTTP port (probes, /metrics) from anywhere, nothing else.
        var workerRule = Assert.Single(Yaml.Maps(policies["worker"].Root, "spec.ingress"));
        Assert.Equal(["8080"], Ports(workerRule));
        Assert.Empty(Yaml.List(workerRule, "from"));

        // Operator: gRPC from gateway and worker pods only, HTTP from anywhere.
        var operatorRules = Yaml.Maps(policies["operator"].Root, "spec.ingress").ToList();
        Assert.Equal(2, operatorRules.Count);
        var grpc = operatorRules.Single(r => Ports(r).SequenceEqual(["8082"]));
        Assert.Equal(callers, Yaml.Maps(grpc, "from").Select(peer => Yaml.StringMap(peer, "podSelector.matchLabels")));
        Assert.All(Yaml.Maps(grpc, "from"), peer => Assert.Null(Yaml.At(peer, "namespaceSelector")));
        var http = operatorRules.Single(r => Ports(r).SequenceEqual(["8081"]));
        Assert.Empty(Yaml.List(http, "from"));

        // Redis from gateway and worker pods only.
        var redis = Assert.Single(Yaml.Maps(policies["redis"].Root, "spec.ingress"));
        Assert.Equal(["6379"], Ports(redis));
        Assert.Equal(callers, Yaml.Maps(redis, "from").Select(peer => Yaml.StringMap(peer, "podSelector.matchLabels")));
        Assert.All(Yaml.Maps(redis, "from"), peer => Assert.Null(Yaml.At(peer, "namespaceSelector")));

        // Function pods in the namespace the functions live in: invoke from this release's gateways and workers, admin from its operators.
        var functions = policies["functions"];
        Assert.Equal("default", functions.Namespace);
        Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "lamina", ["app.kubernetes.io/component"] = "function" }, Yaml.StringMap(functions.Root, "spec.podSelector.matchLabels"));
        Assert.Equal(["Ingress"], Yaml.List(functions.Root, "spec.policyTypes").Cast<string>());
        var rules = Yaml.Maps(functions.Root, "spec.ingress").ToList();
        Assert.Equal(2, rules.Count);
        var invoke = Yaml.Maps(rules.Single(r => Ports(r).SequenceEqual(["8080"])), "from").ToList();
        Assert.Equal(callers, invoke.Select(peer => Yaml.StringMap(peer, "podSelector.matchLabels")));
        Assert.All(invoke, peer => Assert.Equal(ChartRender.ReleaseNamespace, Yaml.StringMap(peer, "namespaceSelector.matchLabels")["kubernetes.io/metadata.name"]));
        var admin = Assert.Single(Yaml.Maps(rules.Single(r => Ports(r).SequenceEqual(["9090"])), "from"));
        Assert.Equal(Selector(manifests, "operator"), Yaml.StringMap(admin, "podSelector.matchLabels"));
        Assert.Equal(ChartRender.ReleaseNamespace, Yaml.StringMap(admin, "namespaceSelector.matchLabels")["kubernetes.io/metadata.name"]);
    }

    [Fact]
    public async Task Render_WatchedNamespaceAndMetricsPeers_FunctionPolicyThereWithThem()
    {
        var manifests = await ChartRender.RenderAsync("--set", "operator.watchNamespace=team-a", "--set", "networkPolicy.functions.metricsFrom[0].namespaceSelector.matchLabels.monitoring=true");
        var functions = Assert.Single(manifests, m => m.Kind == "NetworkPolicy" && Component(m) == "functions");

        Assert.Equal("team-a", functions.Namespace);
        var admin = Yaml.Maps(functions.Root, "spec.ingress").Single(r => Ports(r).SequenceEqual(["9090"]));
        Assert.Equal(2, Yaml.List(admin, "from").Count);
    }

    [Fact]
    public async Task Render_FullValues_ConfiguredPeers()
    {
        var manifests = await ChartRender.NamedAsync("full@1.20");
        var policies = manifests.Where(m => m.Kind == "NetworkPolicy").ToDictionary(m => Component(m));
        var gatewayRules = Yaml.Maps(policies["gateway"].Root, "spec.ingress").ToList();
        var gatewayRule = gatewayRules.Single(r => Ports(r).SequenceEqual(["9080"]));
        Assert.Equal(2, Yaml.List(gatewayRule, "from").Count);
        // networkPolicy.gateway.from limits the Invoke API, never the function pods' code port.
        AssertCodePortFromFunctionPodsOnly(gatewayRules);
        var http = Yaml.Maps(policies["operator"].Root, "spec.ingress").Single(r => Ports(r).SequenceEqual(["9081"]));
        Assert.Equal("monitoring", Yaml.StringMap(Assert.Single(Yaml.Maps(http, "from")), "namespaceSelector.matchLabels")["kubernetes.io/metadata.name"]);
        var grpc = Yaml.Maps(policies["operator"].Root, "spec.ingress").Single(r => Ports(r).SequenceEqual(["9082"]));
        Assert.Equal([Selector(manifests, "gateway"), Selector(manifests, "worker")], Yaml.Maps(grpc, "from").Select(peer => Yaml.StringMap(peer, "podSelector.matchLabels")));
        var worker = Assert.Single(Yaml.Maps(policies["worker"].Root, "spec.ingress"));
        Assert.Equal(["9083"], Ports(worker));
        Assert.Equal("monitoring", Yaml.StringMap(Assert.Single(Yaml.Maps(worker, "from")), "namespaceSelector.matchLabels")["kubernetes.io/metadata.name"]);
    }

    [Fact]
    public async Task Render_AsyncOff_NoWorkerPolicyAndOnlyGatewaysAdmitted()
    {
        var manifests = await ChartRender.RenderAsync("--set", "async.enabled=false");
        var policies = manifests.Where(m => m.Kind == "NetworkPolicy").ToDictionary(m => Component(m));

        Assert.Equal(["code-store", "functions", "gateway", "operator"], policies.Keys.Order());
        var grpc = Yaml.Maps(policies["operator"].Root, "spec.ingress").Single(r => Ports(r).SequenceEqual(["8082"]));
        Assert.Equal(Selector(manifests, "gateway"), Yaml.StringMap(Assert.Single(Yaml.Maps(grpc, "from")), "podSelector.matchLabels"));
    }

    /// <summary>The code endpoint's rule: port 8085, from the function pods' labels in every namespace (an empty namespaceSelector), and no one else.</summary>
    private static void AssertCodePortFromFunctionPodsOnly(List<Dictionary<object, object>> gatewayRules)
    {
        var code = gatewayRules.Single(r => Ports(r).SequenceEqual(["8085"]));
        var peer = Assert.Single(Yaml.Maps(code, "from"));
        Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "lamina", ["app.kubernetes.io/component"] = "function" }, Yaml.StringMap(peer, "podSelector.matchLabels"));
        var namespaces = Assert.IsType<Dictionary<object, object>>(Yaml.At(peer, "namespaceSelector"));
        Assert.Empty(namespaces);
    }

    private static string Component(Manifest m) => Yaml.StringMap(m.Root, "metadata.labels")["app.kubernetes.io/component"];

    private static IReadOnlyDictionary<string, string> Selector(IReadOnlyList<Manifest> manifests, string component) =>
        Yaml.StringMap(ChartWorkloads.Workload(manifests, component).Root, "spec.selector.matchLabels");

    private static List<string> Ports(Dictionary<object, object> rule) => [.. Yaml.Maps(rule, "ports").Select(p => Yaml.Str(p, "port")!)];
}
