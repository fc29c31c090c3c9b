using Lamina.Testing;
using YamlDotNet.Serialization;

namespace Lamina.Chart.Tests;

/// <summary>ServiceMonitors, the functions' PodMonitor, the PrometheusRule and the dashboard ConfigMap.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartMetricsTests
{
    private static readonly string[] MonitoringKinds = ["ServiceMonitor", "PodMonitor", "PrometheusRule"];

    [Fact]
    public async Task Render_Defaults_NoMonitoringObjects()
    {
        var manifests = await ChartRender.RenderAsync(ChartRender.Kube120);
        // The code store's configuration is the one ConfigMap of the defaults.
        Assert.DoesNotContain(manifests, m => MonitoringKinds.Contains(m.Kind) || (m.Kind == "ConfigMap" && m.Name != "lamina-code-store"));
        Assert.All(manifests.Where(m => m.Kind == "Service"), s => Assert.False(Yaml.StringMap(s.Root, "metadata.annotations").ContainsKey("prometheus.io/scrape")));
    }

    [Fact]
    public async Task Render_FullValues_MonitorsWithTheRulesJobNames()
    {
        var manifests = await ChartRender.NamedAsync("full@1.20");
        var monitors = manifests.Where(m => m.Kind == "ServiceMonitor").ToList();
        Assert.Equal(3, monitors.Count);
        foreach (var component in new[] { "gateway", "worker", "operator" })
        {
            var monitor = monitors.Single(m => Yaml.StringMap(m.Root, "metadata.labels")["app.kubernetes.io/component"] == component);
            Assert.Equal("kube-prometheus-stack", Yaml.StringMap(monitor.Root, "metadata.labels")["release"]);
            var service = manifests.Single(m => m.Kind == "Service" && Yaml.StringMap(m.Root, "metadata.labels")["app.kubernetes.io/component"] == component);
            Assert.Equal(Yaml.StringMap(service.Root, "spec.selector"), Yaml.StringMap(monitor.Root, "spec.selector.matchLabels"));
            var endpoint = Assert.Single(Yaml.Maps(monitor.Root, "spec.endpoints"));
            Assert.Contains(Yaml.Maps(service.Root, "spec.ports"), p => Yaml.Str(p, "name") == Yaml.Str(endpoint, "port"));
            Assert.Equal("/metrics", Yaml.Str(endpoint, "path"));
            Assert.Equal("true", Yaml.Str(endpoint, "honorLabels"));
            Assert.Equal($"lamina-{component}", Job(endpoint));
            Assert.Equal("true", Yaml.StringMap(service.Root, "metadata.annotations")["prometheus.io/scrape"]);
        }

        var pods = Assert.Single(manifests, m => m.Kind == "PodMonitor");
        var podEndpoint = Assert.Single(Yaml.Maps(pods.Root, "spec.podMetricsEndpoints"));
        Assert.Equal("admin", Yaml.Str(podEndpoint, "port"));
        Assert.Equal("/metrics", Yaml.Str(podEndpoint, "path"));
        Assert.Equal("lamina-functions", Job(podEndpoint));
        Assert.Equal(
            new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "lamina", ["app.kubernetes.io/component"] = "function" },
            Yaml.StringMap(pods.Root, "spec.selector.matchLabels"));
        Assert.Equal(["functions"], Yaml.List(pods.Root, "spec.namespaceSelector.matchNames").Cast<string>());
    }

    [Fact]
    public async Task Render_ServiceMonitorAllNamespaces_PodMonitorSelectsAny()
    {
        var manifests = await ChartRender.RenderAsync("--set", "metrics.serviceMonitor.enabled=true");
        var pods = Assert.Single(manifests, m => m.Kind == "PodMonitor");
        Assert.Equal("true", Yaml.Str(pods.Root, "spec.namespaceSelector.any"));
        Assert.Equal(3, manifests.Count(m => m.Kind == "ServiceMonitor"));
    }

    [Fact]
    public async Task Render_PrometheusRule_GroupsEqualThePlainFile()
    {
        var rule = Assert.Single(await ChartRender.RenderAsync("--set", "metrics.prometheusRule.enabled=true"), m => m.Kind == "PrometheusRule");
        var plain = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(
            await File.ReadAllTextAsync(Path.Combine(ChartRender.ChartPath, "files", "prometheus-rules.yaml")));
        var serializer = new SerializerBuilder().Build();
        Assert.NotEmpty(Yaml.List(plain, "groups"));
        Assert.Equal(serializer.Serialize(Canonical(Yaml.List(plain, "groups"))), serializer.Serialize(Canonical(Yaml.List(rule.Root, "spec.groups"))));
    }

    [Fact]
    public async Task Render_Dashboard_ConfigMapHoldsTheJson()
    {
        var manifests = await ChartRender.RenderAsync("--set", "metrics.dashboard.enabled=true");
        var map = Assert.Single(manifests, m => m.Kind == "ConfigMap" && m.Name != "lamina-code-store");
        Assert.Equal("1", Yaml.StringMap(map.Root, "metadata.labels")["grafana_dashboard"]);
        Assert.Equal(ChartRender.ReleaseNamespace, map.Namespace);
        var json = await File.ReadAllTextAsync(Path.Combine(ChartRender.ChartPath, "dashboards", "lamina.json"));
        Assert.Equal(json.TrimEnd(), Yaml.StringMap(map.Root, "data")["lamina.json"].TrimEnd());
        using var parsed = System.Text.Json.JsonDocument.Parse(Yaml.StringMap(map.Root, "data")["lamina.json"]);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, parsed.RootElement.ValueKind);
    }

    /// <summary>Maps with their keys sorted (helm's toYaml sorts them), lists and scalars as they are.</summary>
    private static object? Canonical(object? node) => node switch
    {
        Dictionary<object, object> map => new SortedDictionary<string, object?>(map.ToDictionary(e => (string)e.Key, e => Canonical(e.Value)), StringComparer.Ordinal),
        List<object> list => list.Select(Canonical).ToList(),
        _ => node,
    };

    private static string? Job(Dictionary<object, object> endpoint) =>
        Yaml.Maps(endpoint, "relabelings").Single(r => Yaml.Str(r, "targetLabel") == "job") is var relabel && Yaml.Str(relabel, "action") == "replace"
            ? Yaml.Str(relabel, "replacement")
            : null;
}
