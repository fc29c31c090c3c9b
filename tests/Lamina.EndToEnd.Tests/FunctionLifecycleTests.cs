using Lamina.Kubernetes.Client;
using k8s;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Testing;

namespace Lamina.EndToEnd.Tests;

/// <summary>
/// The operator on the real cluster: what only a full cluster shows. Deleting a Function removes
/// its Deployment and Service through the garbage collector (the owner references the builders set);
/// a pod the kubelet cannot start shows in the Function's status.
/// </summary>
[Collection(LocalClusterCollection.Name)]
[Trait(TestTiers.Category, TestTiers.EndToEnd)]
public sealed class FunctionLifecycleTests(LocalCluster cluster) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private FunctionNamespace _namespace = null!;

    public async Task InitializeAsync() => _namespace = await FunctionNamespace.CreateAsync(cluster, "e2e-fn-");

    public async Task DisposeAsync() => await _namespace.DisposeAsync();

    [Fact]
    public async Task DeleteFunction_ChildrenExist_GarbageCollected()
    {
        await _namespace.Client.CreateAsync(new Function
        {
            Metadata = new V1ObjectMeta { Name = "doomed", NamespaceProperty = _namespace.Name },
            Spec = new FunctionSpec { Image = "docker.io/lamina/echo:dev" },
        });
        await Eventually.HoldsAsync(() => _exists, Deadline, "the Deployment and Service exist", async () =>
            _exists = await ExistsAsync<V1Deployment>("doomed-fn") && await ExistsAsync<V1Service>("doomed-fn"));

        await _namespace.Client.DeleteAsync<Function>(_namespace.Name, "doomed", new DeleteOptions { PropagationPolicy = PropagationPolicy.Background });

        await Eventually.HoldsAsync(() => !_exists, Deadline, "the garbage collector removes the Deployment and Service", async () =>
            _exists = await ExistsAsync<V1Deployment>("doomed-fn") || await ExistsAsync<V1Service>("doomed-fn"));
    }

    [Fact]
    public async Task Function_ImageMissing_ReadyFalseWithTheKubeletsReason()
    {
        // The kubelet's own words about a pod that cannot start reach the Function's status.
        await _namespace.Client.CreateAsync(new Function
        {
            Metadata = new V1ObjectMeta { Name = "no-image", NamespaceProperty = _namespace.Name },
            // One provisioned environment: a function at zero has no pod for the kubelet to report on.
            Spec = new FunctionSpec { Image = "docker.io/lamina/does-not-exist:dev", Concurrency = new FunctionConcurrency { Provisioned = 1 } },
        });

        V1Condition? ready = null;
        await Eventually.HoldsAsync(() => ready?.Reason == "ErrImageNeverPull", Deadline, "Ready turns False with the kubelet's reason", async () =>
            ready = (await _namespace.Client.GetAsync<Function>(_namespace.Name, "no-image")).Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready"));

        Assert.Equal("False", ready!.Status);
        Assert.Contains("container function", ready.Message, StringComparison.Ordinal);
        Assert.Contains("docker.io/lamina/does-not-exist:dev", ready.Message, StringComparison.Ordinal);
    }

    private bool _exists;

    private async Task<bool> ExistsAsync<T>(string name)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        try
        {
            await _namespace.Client.GetAsync<T>(_namespace.Name, name);
            return true;
        }
        catch (KubernetesApiException error) when (error.IsNotFound)
        {
            return false;
        }
    }
}
