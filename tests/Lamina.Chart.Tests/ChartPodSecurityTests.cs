using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>Every pod the chart makes meets Pod Security "restricted" and has resources and probes.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartPodSecurityTests
{
    private static readonly string[] Components = ["operator", "gateway", "worker", "redis", "code-store"];

    [Theory]
    [MemberData(nameof(ChartRender.Renders), MemberType = typeof(ChartRender))]
    public async Task Render_EveryPod_IsRestricted(string render)
    {
        var pods = ChartWorkloads.PodSpecs(await ChartRender.NamedAsync(render)).ToList();
        Assert.Equal(Components.Length, pods.Count);
        foreach (var (workload, pod) in pods)
        {
            var podContext = Yaml.Map(pod, "securityContext") ?? [];
            Assert.True(Yaml.Str(podContext, "runAsNonRoot") == "true", $"{workload}: pod runAsNonRoot");
            Assert.True(Yaml.Str(podContext, "runAsUser") == "65532", $"{workload}: pod runAsUser");
            Assert.True(Yaml.Str(podContext, "runAsGroup") == "65532", $"{workload}: pod runAsGroup");
            Assert.True(Yaml.Str(podContext, "seccompProfile.type") == "RuntimeDefault", $"{workload}: pod seccompProfile");
            foreach (var field in new[] { "hostNetwork", "hostPID", "hostIPC" })
            {
                Assert.True(Yaml.Str(pod, field) is null or "false", $"{workload}: {field}");
            }

            Assert.All(Yaml.Maps(pod, "volumes"), volume => Assert.True(Yaml.At(volume, "hostPath") is null, $"{workload}: hostPath volume"));
            var containers = ChartWorkloads.Containers(pod).ToList();
            Assert.NotEmpty(containers);
            foreach (var container in containers)
            {
                var what = $"{workload} container {Yaml.Str(container, "name")}";
                var context = Yaml.Map(container, "securityContext") ?? [];
                Assert.True(Yaml.Str(context, "allowPrivilegeEscalation") == "false", $"{what}: allowPrivilegeEscalation");
                Assert.True(Yaml.Str(context, "readOnlyRootFilesystem") == "true", $"{what}: readOnlyRootFilesystem");
                Assert.True(Yaml.Str(context, "privileged") is null or "false", $"{what}: privileged");
                Assert.Equal(["ALL"], Yaml.List(context, "capabilities.drop").Cast<string>());
                Assert.Empty(Yaml.List(context, "capabilities.add"));
                Assert.True((Yaml.Str(context, "runAsNonRoot") ?? Yaml.Str(podContext, "runAsNonRoot")) == "true", $"{what}: runAsNonRoot");
                Assert.True((Yaml.Str(context, "runAsUser") ?? Yaml.Str(podContext, "runAsUser")) == "65532", $"{what}: runAsUser");
                Assert.True((Yaml.Str(context, "seccompProfile.type") ?? Yaml.Str(podContext, "seccompProfile.type")) == "RuntimeDefault", $"{what}: seccompProfile");

                // Nothing but /tmp (and a data volume) is writable: /tmp is an emptyDir.
                var tmp = Yaml.Maps(container, "volumeMounts").FirstOrDefault(m => Yaml.Str(m, "mountPath") == "/tmp");
                Assert.True(tmp is not null, $"{what}: no /tmp mount");
                var volume = Yaml.Maps(pod, "volumes").Single(v => Yaml.Str(v, "name") == Yaml.Str(tmp, "name"));
                Assert.True(Yaml.At(volume, "emptyDir") is not null, $"{what}: /tmp is not an emptyDir");

                foreach (var kind in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        Assert.True(Yaml.Str(container, $"resources.{kind}.{resource}") is { Length: > 0 }, $"{what}: resources.{kind}.{resource}");
                    }
                }
            }

            foreach (var container in Yaml.Maps(pod, "containers"))
            {
                var what = $"{workload} container {Yaml.Str(container, "name")}";
                Assert.True(Yaml.At(container, "livenessProbe") is not null, $"{what}: livenessProbe");
                Assert.True(Yaml.At(container, "readinessProbe") is not null, $"{what}: readinessProbe");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ChartRender.Renders), MemberType = typeof(ChartRender))]
    public async Task Render_Programs_ProbeHealthzAndReadyz(string render)
    {
        var manifests = await ChartRender.NamedAsync(render);
        foreach (var component in new[] { "operator", "gateway", "worker" })
        {
            var container = ChartWorkloads.Container(manifests, component);
            Assert.Equal("/healthz", Yaml.Str(container, "livenessProbe.httpGet.path"));
            Assert.Equal("/readyz", Yaml.Str(container, "readinessProbe.httpGet.path"));
            Assert.Equal("http", Yaml.Str(container, "readinessProbe.httpGet.port"));
        }

        var redis = ChartWorkloads.Container(manifests, "redis");
        Assert.Equal(["/usr/bin/redis-cli", "-e", "-h", "127.0.0.1", "-p", "6379", "ping"], Yaml.List(redis, "readinessProbe.exec.command").Cast<string>());
        Assert.Equal(["/usr/bin/redis-cli", "-e", "-h", "127.0.0.1", "-p", "6379", "ping"], Yaml.List(redis, "livenessProbe.exec.command").Cast<string>());
    }

    [Theory]
    [MemberData(nameof(ChartRender.Renders), MemberType = typeof(ChartRender))]
    public async Task Render_ServiceAccounts_OnePerComponentAndRedisHasNoToken(string render)
    {
        var manifests = await ChartRender.NamedAsync(render);
        var accounts = manifests.Where(m => m.Kind == "ServiceAccount").ToDictionary(m => m.Name);
        Assert.Equal(Components.Length, accounts.Count);
        var names = Components.ToDictionary(c => c, c => Yaml.Str(ChartWorkloads.Workload(manifests, c).Root, "spec.template.spec.serviceAccountName")!);
        Assert.Equal(Components.Length, names.Values.Distinct().Count());
        Assert.All(names.Values, name => Assert.Contains(name, accounts.Keys));
        Assert.Equal("false", Yaml.Str(accounts[names["redis"]].Root, "automountServiceAccountToken"));
        Assert.Equal("false", Yaml.Str(ChartWorkloads.Workload(manifests, "redis").Root, "spec.template.spec.automountServiceAccountToken"));
        Assert.DoesNotContain(manifests, m => m.Kind is "RoleBinding" or "ClusterRoleBinding"
            && Yaml.Maps(m.Root, "subjects").Any(s => Yaml.Str(s, "name") == names["redis"]));
    }

    [Fact]
    public async Task Render_FullValues_SchedulingValuesReachEveryPod()
    {
        var manifests = await ChartRender.RenderAsync([.. ChartRender.FullValues, .. ChartRender.Kube120]);
        foreach (var (workload, pod) in ChartWorkloads.PodSpecs(manifests))
        {
            var component = Yaml.StringMap(workload.Root, "metadata.labels")["app.kubernetes.io/component"];
            Assert.Equal("system-cluster-critical", Yaml.Str(pod, "priorityClassName"));
            Assert.Equal("linux", Yaml.StringMap(pod, "nodeSelector")["kubernetes.io/os"]);
            Assert.Single(Yaml.List(pod, "tolerations"));
            Assert.NotNull(Yaml.Map(pod, "affinity"));
            var spread = Assert.Single(Yaml.Maps(pod, "topologySpreadConstraints"));
            Assert.Equal(component, Yaml.StringMap(spread, "labelSelector.matchLabels")["app.kubernetes.io/component"]);
            Assert.Equal("platform", Yaml.StringMap(workload.Root, "spec.template.metadata.labels")["team"]);
            Assert.NotEmpty(Yaml.StringMap(workload.Root, "spec.template.metadata.annotations"));
            Assert.Equal("registry-credentials", Yaml.Str(Yaml.Maps(pod, "imagePullSecrets").Single(), "name"));
        }
    }
}
