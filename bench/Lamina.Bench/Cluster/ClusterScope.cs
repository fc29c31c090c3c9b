using System.Diagnostics;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Testing;

namespace Lamina.Bench.Cluster;

/// <summary>
/// What the cluster scenarios share: a namespace of their own on the local cluster (<c>make cluster-up</c>)
/// with the operator and its concurrency controller running in the bench process (short autoscaler
/// windows, as in the end-to-end tests, so that functions go back to zero in seconds), two gateway
/// processes finding the controller through the operator's Lease, and a SigV4 key for them.
/// </summary>
internal sealed class ClusterScope : IAsyncDisposable
{
    private const string KeyId = "AKIALAMINABENCHCLUST";

    private readonly FunctionNamespace _namespace;
    private readonly GatewayProcess[] _gateways;
    private readonly InvokeSigner _signer;

    private ClusterScope(LocalCluster cluster, FunctionNamespace ns, GatewayProcess[] gateways, InvokeSigner signer)
    {
        Cluster = cluster;
        _namespace = ns;
        _gateways = gateways;
        _signer = signer;
        Http = HttpLoad.CreateClient();
        Http.Timeout = TimeSpan.FromMinutes(2);
    }

    public LocalCluster Cluster { get; }

    public FunctionNamespace Namespace => _namespace;

    public string Name => _namespace.Name;

    public IReadOnlyList<GatewayProcess> Gateways => _gateways;

    /// <summary>Keeps connections alive; never through a proxy.</summary>
    public HttpClient Http { get; }

    public static async Task<ClusterScope> StartAsync(string prefix)
    {
        var cluster = new LocalCluster();
        var ns = await FunctionNamespace.CreateAsync(cluster, prefix, concurrency =>
        {
            concurrency.StableWindow = TimeSpan.FromSeconds(6);
            concurrency.PanicWindow = TimeSpan.FromSeconds(2);
            concurrency.PoolSize = 400;
            concurrency.UnreservedMinimum = 100;
        });
        var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(30));
        await ns.Client.CreateAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "bench-key", NamespaceProperty = ns.Name, Labels = new Dictionary<string, string> { ["lamina.dev/access-key"] = "true" } },
            StringData = new Dictionary<string, string> { ["accessKeyId"] = KeyId, ["secretAccessKey"] = secret, ["namespaces"] = ns.Name, ["defaultNamespace"] = ns.Name },
        });
        string[] arguments = [$"--Lamina:Gateway:Auth:AccessKeyNamespace={ns.Name}", $"--Lamina:Gateway:Controller:LeaseNamespace={ns.Name}"];
        var gateways = new[]
        {
            await GatewayProcess.StartAsync(cluster.Layout.ClusterKubeconfig, arguments),
            await GatewayProcess.StartAsync(cluster.Layout.ClusterKubeconfig, arguments),
        };
        return new ClusterScope(cluster, ns, gateways, new InvokeSigner(KeyId, secret));
    }

    /// <summary>Creates a Function and waits until the operator has reconciled it (its Deployments exist, at zero unless provisioned).</summary>
    public async Task CreateFunctionAsync(string name, string image, string? handler = null, int? reserved = null, int idleSeconds = 2)
    {
        await _namespace.Client.CreateAsync(new Function
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Name },
            Spec = new FunctionSpec
            {
                Image = image,
                Handler = handler,
                TimeoutSeconds = 30,
                Concurrency = reserved is null ? null : new FunctionConcurrency { Reserved = reserved },
                Scaling = new FunctionScaling { IdleSeconds = idleSeconds },
            },
        });
        await Eventually.HoldsAsync(async () =>
        {
            var function = await _namespace.Client.GetAsync<Function>(Name, name);
            return function.Status?.ObservedGeneration == function.Metadata.Generation;
        }, TimeSpan.FromSeconds(120), $"the operator reconciles {name}");
    }

    /// <summary>A signed Invoke of <paramref name="function"/> through gateway <paramref name="gateway"/>: the status, the body, and the time to the whole answer.</summary>
    public async Task<(int Status, string Body, TimeSpan Elapsed)> InvokeAsync(int gateway, string function, string payload, CancellationToken cancellationToken = default)
    {
        var uri = new Uri(_gateways[gateway].Endpoint, $"/2015-03-31/functions/{Name}.{function}/invocations");
        using var request = _signer.Post(uri, payload);
        var started = Stopwatch.GetTimestamp();
        using var response = await Http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return ((int)response.StatusCode, body, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Waits until no pod of the namespace is left (the functions scaled to zero), so the next series starts from an empty node.</summary>
    public Task WaitForNoPodsAsync(TimeSpan timeout) =>
        Eventually.HoldsAsync(async () => (await _namespace.Client.ListAsync<V1Pod>(Name)).Items.Count == 0, timeout, "every pod of the bench namespace is gone");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        await _namespace.DisposeAsync();
    }
}
