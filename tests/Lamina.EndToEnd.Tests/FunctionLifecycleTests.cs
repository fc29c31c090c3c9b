using System.Globalization;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Configuration;
using Lamina.Kubernetes.Models;
using Lamina.Operator.Api;
using Lamina.Testing;
using Lamina.Testing.Fakes;

namespace Lamina.EndToEnd.Tests;

/// <summary>
/// The operator on the real cluster: what only a full cluster shows. Deleting a Function removes
/// its Deployment and Service through the garbage collector (the owner references the builders set).
/// </summary>
[Collection(LocalClusterCollection.Name)]
[Trait(TestTiers.Category, TestTiers.EndToEnd)]
public sealed class FunctionLifecycleTests(LocalCluster cluster) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _ns = "e2e-fn-" + DateTime.UtcNow.ToString("HHmmssfff", CultureInfo.InvariantCulture);
    private IKubernetesClient _client = null!;
    private RunningOperator? _operator;

    public async Task InitializeAsync()
    {
        await cluster.Kubectl.RunAsync(null, "apply", "-f", Path.Combine(cluster.Layout.Root, "crds"));
        await cluster.Kubectl.RunAsync(null, "wait", "--for=condition=Established", "crd/functions.lamina.dev", "--timeout=60s");
        await cluster.Kubectl.RunAsync(null, "create", "namespace", _ns);
        _client = new KubernetesClient(KubeconfigLoader.Load(cluster.Layout.ClusterKubeconfig));
        _operator = await RunningOperator.StartAsync(_client, new RecordingEventRecorder(), _ns);
    }

    public async Task DisposeAsync()
    {
        if (_operator is not null)
        {
            await _operator.DisposeAsync();
        }

        await cluster.Kubectl.RunAsync(null, "delete", "namespace", _ns, "--wait=false");
    }

    [Fact]
    public async Task DeleteFunction_ChildrenExist_GarbageCollected()
    {
        await _client.CreateAsync(new Function
        {
            Metadata = new ObjectMeta { Name = "doomed", Namespace = _ns },
            Spec = new FunctionSpec { Image = "docker.io/lamina/echo:dev" },
        });
        await Eventually.HoldsAsync(() => _exists, Deadline, "the Deployment and Service exist", async () =>
            _exists = await ExistsAsync<Deployment>("doomed-fn") && await ExistsAsync<Service>("doomed-fn"));

        await _client.DeleteAsync<Function>(_ns, "doomed", new DeleteOptions { PropagationPolicy = PropagationPolicy.Background });

        await Eventually.HoldsAsync(() => !_exists, Deadline, "the garbage collector removes the Deployment and Service", async () =>
            _exists = await ExistsAsync<Deployment>("doomed-fn") || await ExistsAsync<Service>("doomed-fn"));
    }

    private bool _exists;

    private async Task<bool> ExistsAsync<T>(string name)
        where T : class, IKubernetesObject<T>
    {
        try
        {
            await _client.GetAsync<T>(_ns, name);
            return true;
        }
        catch (KubernetesApiException error) when (error.IsNotFound)
        {
            return false;
        }
    }
}
