using Lamina.Testing;

namespace Lamina.Chart.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartLintTests
{
    [Fact]
    public async Task Lint_DefaultValues_PassesStrict()
    {
        var output = await Helm.RunCheckedAsync(["lint", "--strict", ChartRender.ChartPath]);
        Assert.Contains("0 chart(s) failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_FullValues_PassesStrict()
    {
        var output = await Helm.RunCheckedAsync(["lint", "--strict", ChartRender.ChartPath, .. ChartRender.FullValues]);
        Assert.Contains("0 chart(s) failed", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ChartRender.Renders), MemberType = typeof(ChartRender))]
    public async Task Render_EveryObject_HasTheChartsStandardLabels(string render)
    {
        foreach (var manifest in await ChartRender.NamedAsync(render))
        {
            var labels = Yaml.StringMap(manifest.Root, "metadata.labels");
            Assert.True(labels.TryGetValue("helm.sh/chart", out var chart) && chart == "lamina-0.1.0", $"{manifest}: helm.sh/chart");
            Assert.True(labels.TryGetValue("app.kubernetes.io/instance", out var instance) && instance == ChartRender.ReleaseName, $"{manifest}: app.kubernetes.io/instance");
            Assert.True(labels.TryGetValue("app.kubernetes.io/managed-by", out var by) && by == "Helm", $"{manifest}: app.kubernetes.io/managed-by");
            Assert.True(labels.ContainsKey("app.kubernetes.io/version"), $"{manifest}: app.kubernetes.io/version");
            Assert.True(labels.TryGetValue("app.kubernetes.io/part-of", out var partOf) && partOf == "lamina", $"{manifest}: app.kubernetes.io/part-of");
        }
    }

    [Fact]
    public async Task Render_Defaults_ImagesAreTheLaminaDevImages()
    {
        var manifests = await ChartRender.RenderAsync(ChartRender.Kube120);
        Assert.Equal("docker.io/lamina/operator:dev", ChartWorkloads.Container(manifests, "operator")["image"]);
        Assert.Equal("docker.io/lamina/gateway:dev", ChartWorkloads.Container(manifests, "gateway")["image"]);
        Assert.Equal("docker.io/lamina/redis:dev", ChartWorkloads.Container(manifests, "redis")["image"]);
        Assert.Equal("docker.io/lamina/runtime-shim:dev", Yaml.Env(ChartWorkloads.Container(manifests, "operator"), "Lamina__Operator__ShimImage"));
        Assert.All(ChartWorkloads.PodSpecs(manifests), pod => Assert.All(ChartWorkloads.Containers(pod.Spec), c => Assert.Equal("IfNotPresent", c["imagePullPolicy"])));
    }

    [Fact]
    public async Task Render_FullValues_ImagesFollowOverrides()
    {
        var manifests = await ChartRender.RenderAsync([.. ChartRender.FullValues, .. ChartRender.Kube120]);
        Assert.Equal("mirror.example.com/lamina-operator:1.2.3-patched", ChartWorkloads.Container(manifests, "operator")["image"]);
        Assert.Equal("mirror.example.com/lamina-gateway:1.2.3", ChartWorkloads.Container(manifests, "gateway")["image"]);
        Assert.Equal("mirror.example.com/lamina-redis:7.0.15", ChartWorkloads.Container(manifests, "redis")["image"]);
        Assert.Equal("mirror.example.com/lamina-shim:1.2.3", Yaml.Env(ChartWorkloads.Container(manifests, "operator"), "Lamina__Operator__ShimImage"));
        var partial = await ChartRender.RenderAsync(["--set", "image.repository=registry.example.com/x", "--set", "image.tag=7", "--set", "gateway.image.tag=8", .. ChartRender.Kube120]);
        Assert.Equal("registry.example.com/x/operator:7", ChartWorkloads.Container(partial, "operator")["image"]);
        Assert.Equal("registry.example.com/x/gateway:8", ChartWorkloads.Container(partial, "gateway")["image"]);
        Assert.Equal("registry.example.com/x/runtime-shim:7", Yaml.Env(ChartWorkloads.Container(partial, "operator"), "Lamina__Operator__ShimImage"));
    }

    [Fact]
    public async Task Render_AccessLog_OffByDefaultOnWhenAsked()
    {
        const string Variable = "Logging__LogLevel__Lamina.Gateway.AccessLog";
        var defaults = await ChartRender.RenderAsync(ChartRender.Kube120);
        var on = await ChartRender.RenderAsync(["--set", "gateway.accessLog=true", .. ChartRender.Kube120]);
        Assert.Null(Yaml.Env(ChartWorkloads.Container(defaults, "gateway"), Variable));
        Assert.Equal("Information", Yaml.Env(ChartWorkloads.Container(on, "gateway"), Variable));
    }

    [Fact]
    public async Task Render_Defaults_ProgramsGetTheirListenersAndPodIdentity()
    {
        var manifests = await ChartRender.RenderAsync(ChartRender.Kube120);
        var operatorContainer = ChartWorkloads.Container(manifests, "operator");
        var gatewayContainer = ChartWorkloads.Container(manifests, "gateway");
        Assert.Equal(["--urls", "http://0.0.0.0:8081"], Yaml.List(operatorContainer, "args").Cast<string>());
        Assert.Equal(["--urls", "http://0.0.0.0:8080"], Yaml.List(gatewayContainer, "args").Cast<string>());
        Assert.Equal("http://0.0.0.0:8082", Yaml.Env(operatorContainer, "Lamina__Operator__Concurrency__GrpcUrl"));
        Assert.Equal("lamina-operator", Yaml.Env(operatorContainer, "Lamina__Operator__LeaseName"));
        Assert.Equal("lamina-operator", Yaml.Env(gatewayContainer, "Lamina__Gateway__Controller__LeaseName"));
        Assert.Equal(ChartRender.ReleaseNamespace, Yaml.Env(gatewayContainer, "Lamina__Gateway__Controller__LeaseNamespace"));
        Assert.Equal(ChartRender.ReleaseNamespace, Yaml.Env(gatewayContainer, "Lamina__Gateway__Auth__AccessKeyNamespace"));
        Assert.Equal("SigV4", Yaml.Env(gatewayContainer, "Lamina__Gateway__Auth__Mode"));
        Assert.Null(Yaml.Env(operatorContainer, "Lamina__Operator__WatchNamespace"));
        Assert.Null(Yaml.Env(operatorContainer, "LAMINA_LOG_FORMAT"));
        foreach (var container in new[] { operatorContainer, gatewayContainer })
        {
            var fields = Yaml.Maps(container, "env").Where(e => Yaml.Str(e, "valueFrom.fieldRef.fieldPath") is not null)
                .ToDictionary(e => Yaml.Str(e, "name")!, e => Yaml.Str(e, "valueFrom.fieldRef.fieldPath")!);
            Assert.Equal(new Dictionary<string, string> { ["POD_NAME"] = "metadata.name", ["POD_NAMESPACE"] = "metadata.namespace", ["POD_IP"] = "status.podIP" }, fields);
        }
    }

    [Fact]
    public async Task Render_FullValues_SettingsReachThePrograms()
    {
        var manifests = await ChartRender.RenderAsync([.. ChartRender.FullValues, .. ChartRender.Kube120]);
        var operatorContainer = ChartWorkloads.Container(manifests, "operator");
        var gatewayContainer = ChartWorkloads.Container(manifests, "gateway");
        Assert.Equal("functions", Yaml.Env(operatorContainer, "Lamina__Operator__WatchNamespace"));
        Assert.Equal("lamina-leader", Yaml.Env(operatorContainer, "Lamina__Operator__LeaseName"));
        Assert.Equal("lamina-leader", Yaml.Env(gatewayContainer, "Lamina__Gateway__Controller__LeaseName"));
        Assert.Equal("2000", Yaml.Env(operatorContainer, "Lamina__Operator__Concurrency__PoolSize"));
        Assert.Equal("http://0.0.0.0:9082", Yaml.Env(operatorContainer, "Lamina__Operator__Concurrency__GrpcUrl"));
        Assert.Equal("json", Yaml.Env(operatorContainer, "LAMINA_LOG_FORMAT"));
        Assert.Equal("json", Yaml.Env(gatewayContainer, "LAMINA_LOG_FORMAT"));
        Assert.Equal("lamina-keys", Yaml.Env(gatewayContainer, "Lamina__Gateway__Auth__AccessKeyNamespace"));
        Assert.Equal("1048576", Yaml.Env(gatewayContainer, "Lamina__Gateway__Async__MaximumPayload"));
        Assert.Equal("00:00:01", Yaml.Env(gatewayContainer, "Lamina__Gateway__Routing__ConnectTimeout"));
        Assert.Equal("3", Yaml.Str(ChartWorkloads.Workload(manifests, "gateway").Root, "spec.replicas"));
        Assert.Equal("2", Yaml.Str(ChartWorkloads.Workload(manifests, "operator").Root, "spec.replicas"));
    }
}
