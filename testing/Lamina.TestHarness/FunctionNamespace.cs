using System.Globalization;
using Lamina.Kubernetes.Client;
using Lamina.Operator.Concurrency;
using Lamina.Testing.Fakes;

namespace Lamina.Testing;

/// <summary>
/// What every Function test on the cluster starts from: the CRD installed, a namespace of its own,
/// and the operator's controller running (in the test process) with its lease in that namespace.
/// </summary>
public sealed class FunctionNamespace : IAsyncDisposable
{
    private readonly LocalCluster _cluster;
    private readonly List<RunningOperator> _operators = [];
    private readonly Action<ConcurrencyOptions>? _concurrency;

    private FunctionNamespace(LocalCluster cluster, string name, IKubernetesClient client, RunningOperator running, Action<ConcurrencyOptions>? concurrency)
    {
        _cluster = cluster;
        Name = name;
        Client = client;
        _operators.Add(running);
        _concurrency = concurrency;
    }

    /// <summary>The operator replicas running for this namespace (the first started first, so it usually leads).</summary>
    public IReadOnlyList<RunningOperator> Operators => _operators;

    public string Name { get; }

    public IKubernetesClient Client { get; }

    /// <summary>A namespace named <paramref name="prefix"/> plus the time, with the operator watching it.</summary>
    public static async Task<FunctionNamespace> CreateAsync(LocalCluster cluster, string prefix, Action<ConcurrencyOptions>? concurrency = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var name = prefix + DateTime.UtcNow.ToString("HHmmssfff", CultureInfo.InvariantCulture);
        await cluster.Kubectl.RunAsync(null, "apply", "-f", Path.Combine(cluster.Layout.Root, "crds"));
        await cluster.Kubectl.RunAsync(null, "wait", "--for=condition=Established", "crd/functions.lamina.dev", "--timeout=60s");
        await cluster.Kubectl.RunAsync(null, "create", "namespace", name);
        var client = new KubernetesObjectClient(new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.Layout.ClusterKubeconfig)), disposeKubernetes: true);
        // The cluster's images are imported; a missing one must fail here, never be pulled from outside.
        var running = await RunningOperator.StartAsync(client, new RecordingEventRecorder(), name, imagePullPolicy: "Never", concurrency: concurrency, releaseLeaseOnStop: false);
        return new FunctionNamespace(cluster, name, client, running, concurrency);
    }

    /// <summary>Another operator replica (a standby while the first leads).</summary>
    public async Task<RunningOperator> StartReplicaAsync()
    {
        var running = await RunningOperator.StartAsync(Client, new RecordingEventRecorder(), Name, imagePullPolicy: "Never", concurrency: _concurrency, releaseLeaseOnStop: false);
        _operators.Add(running);
        return running;
    }

    /// <summary>Stops a replica without giving its lease up, as a crash would.</summary>
    public async Task KillAsync(RunningOperator replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        _operators.Remove(replica);
        await replica.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var running in _operators)
        {
            await running.DisposeAsync();
        }

        await _cluster.Kubectl.RunAsync(null, "delete", "namespace", Name, "--wait=false");
    }
}
