using Lamina.Contracts.Code;
using Lamina.Gateway.Code;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>The gateway's code endpoint in the chart: its port on the container and the Service, its listener, and its RBAC where function pods live.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartCodeEndpointTests
{
    [Theory]
    [MemberData(nameof(ChartRender.Renders), MemberType = typeof(ChartRender))]
    public async Task Render_Any_GatewayServesTheContractsCodePortOnContainerAndService(string render)
    {
        var manifests = await ChartRender.NamedAsync(render);
        var container = ChartWorkloads.Container(manifests, "gateway");
        var port = Assert.Single(Yaml.Maps(container, "ports"), p => Yaml.Str(p, "name") == "code");
        Assert.Equal(CodeFetchContract.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Yaml.Str(port, "containerPort"));
        Assert.Equal($"http://0.0.0.0:{CodeFetchContract.GatewayPort}", Yaml.Env(container, "Lamina__Gateway__Code__Url"));

        var service = Assert.Single(manifests, m => m.Kind == "Service" && m.Name.EndsWith("-gateway", StringComparison.Ordinal));
        var servicePort = Assert.Single(Yaml.Maps(service.Root, "spec.ports"), p => Yaml.Str(p, "name") == "code");
        Assert.Equal(CodeFetchContract.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Yaml.Str(servicePort, "port"));
        Assert.Equal("code", Yaml.Str(servicePort, "targetPort"));
    }

    [Fact]
    public async Task Render_WatchNamespace_PodsReadOnlyThereAndTokenReviewsInTheirOwnClusterRole()
    {
        var manifests = await ChartRender.RenderAsync(["--set", "operator.watchNamespace=team-a", .. ChartRender.Kube120]);

        var gatewayCluster = Assert.Single(manifests, m => m.Kind == "ClusterRole" && m.Name == "lamina-gateway");
        Assert.DoesNotContain(Yaml.Maps(gatewayCluster.Root, "rules"), r => Yaml.List(r, "resources").Contains("pods"));
        var podsRole = Assert.Single(manifests, m => m.Kind == "Role" && m.Namespace == "team-a" && m.Name == "lamina-gateway");
        var rule = Assert.Single(Yaml.Maps(podsRole.Root, "rules"));
        Assert.Equal(["pods"], Yaml.List(rule, "resources").Cast<string>());
        Assert.Equal(["get"], Yaml.List(rule, "verbs").Cast<string>());
        Assert.Single(manifests, m => m.Kind == "RoleBinding" && m.Namespace == "team-a" && Yaml.Str(m.Root, "roleRef.name") == "lamina-gateway");

        var review = Assert.Single(manifests, m => m.Kind == "ClusterRole" && m.Name == "lamina-gateway-token-review");
        var reviewRule = Assert.Single(Yaml.Maps(review.Root, "rules"));
        Assert.Equal(["tokenreviews"], Yaml.List(reviewRule, "resources").Cast<string>());
        Assert.Equal(["create"], Yaml.List(reviewRule, "verbs").Cast<string>());
    }

    [Fact]
    public void FunctionLabel_TheGatewayChecksTheOneTheOperatorWrites()
    {
        // The code endpoint serves only pods with the operator's function label (docs/code-endpoint.md).
        Assert.Equal(Names.FunctionLabel, CodeAccessRules.FunctionLabel);
    }

    [Fact]
    public async Task Render_AllNamespaces_PodsReadInTheClusterRole()
    {
        var manifests = await ChartRender.RenderAsync(ChartRender.Kube120);
        var gatewayCluster = Assert.Single(manifests, m => m.Kind == "ClusterRole" && m.Name == "lamina-gateway");
        Assert.Contains(Yaml.Maps(gatewayCluster.Root, "rules"), r => Yaml.List(r, "resources").Contains("pods") && Yaml.List(r, "verbs").Cast<string>().SequenceEqual(["get"]));
        Assert.DoesNotContain(manifests, m => m.Kind == "Role" && m.Name == "lamina-gateway");
    }
}
