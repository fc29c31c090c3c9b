using k8s.Models;
using Lamina.Kubernetes.Client;
using Lamina.Operator.Api;
using Lamina.Testing;

namespace Lamina.EndToEnd.Tests.Chart;

/// <summary>
/// What an admin's uninstall leaves behind: with <c>crds.keep</c> (the default) the CRD, and so every
/// Function of every team, stays; the release's own objects go.
/// </summary>
[Collection(LocalClusterCollection.Name)]
[Trait(TestTiers.Category, TestTiers.EndToEnd)]
public sealed class ChartLifecycleTests(LocalCluster cluster)
{
    private const string Crd = "crd/functions.lamina.dev";
    private const string ReleaseNameAnnotation = "meta.helm.sh/release-name";
    private const string ReleaseNamespaceAnnotation = "meta.helm.sh/release-namespace";

    [Fact]
    public async Task Uninstall_CrdsKeep_TheCrdAndItsFunctionsStayTheReleaseGoes()
    {
        var release = await ChartRelease.CreateAsync(cluster, "e2e-crd-");
        // Whoever owned the CRD before (make up's release, say) gets it back afterwards.
        var owner = await OwnerAsync();
        using var client = new KubernetesObjectClient(new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.Layout.ClusterKubeconfig)), disposeKubernetes: true);
        try
        {
            await AdoptAsync(release.Name, release.Namespace);
            // The code store without a volume claim, as Redis (the node has no provisioner); the first chart had no code store.
            await release.UpgradeAsync(Path.Combine(cluster.Layout.Root, "charts", "lamina"), "--set", "async.enabled=false", "--set", "codeStore.persistence.enabled=false", "--set", "gateway.replicas=1");
            Assert.Equal("keep", await cluster.Kubectl.RunAsync(null, "get", Crd, "-o", "jsonpath={.metadata.annotations.helm\\.sh/resource-policy}"));
            await client.CreateAsync(new Function
            {
                Metadata = new V1ObjectMeta { Name = "kept", NamespaceProperty = release.FunctionsNamespace },
                Spec = new FunctionSpec { Image = "docker.io/lamina/example-provided:dev" },
            });
            await Eventually.HoldsAsync(async () =>
            {
                var function = await client.GetAsync<Function>(release.FunctionsNamespace, "kept");
                return function.Status?.ObservedGeneration == function.Metadata.Generation;
            }, TimeSpan.FromSeconds(120), "the release's operator reconciles the Function");

            await release.UninstallAsync();

            await cluster.Kubectl.RunAsync(null, "get", Crd);
            Assert.Equal("kept", (await client.GetAsync<Function>(release.FunctionsNamespace, "kept")).Metadata.Name);
            Assert.Empty((await client.ListAsync<V1Deployment>(release.Namespace)).Items);
            Assert.Equal("", await cluster.Kubectl.RunAsync(null, "get", "clusterrole", "-l", $"app.kubernetes.io/instance={release.Name}", "-o", "name"));
        }
        finally
        {
            await RestoreAsync(owner);
            await release.DeleteNamespacesAsync();
        }
    }

    private async Task<(string Name, string Namespace)> OwnerAsync()
    {
        var name = await cluster.Kubectl.RunAsync(null, "get", Crd, "-o", "jsonpath={.metadata.annotations.meta\\.helm\\.sh/release-name}");
        var ns = await cluster.Kubectl.RunAsync(null, "get", Crd, "-o", "jsonpath={.metadata.annotations.meta\\.helm\\.sh/release-namespace}");
        return (name.Trim(), ns.Trim());
    }

    /// <summary>What make up does with a CRD that is there already: the release takes it over.</summary>
    private async Task AdoptAsync(string name, string ns)
    {
        await cluster.Kubectl.RunAsync(null, "label", "--overwrite", Crd, "app.kubernetes.io/managed-by=Helm");
        await cluster.Kubectl.RunAsync(null, "annotate", "--overwrite", Crd, $"{ReleaseNameAnnotation}={name}", $"{ReleaseNamespaceAnnotation}={ns}");
    }

    private async Task RestoreAsync((string Name, string Namespace) owner)
    {
        if (owner.Name.Length > 0)
        {
            await AdoptAsync(owner.Name, owner.Namespace);
        }
        else
        {
            await cluster.Kubectl.RunAsync(null, "annotate", Crd, $"{ReleaseNameAnnotation}-", $"{ReleaseNamespaceAnnotation}-");
        }
    }
}
