using k8s.Models;
using Lamina.Kubernetes.Client;
using Lamina.Operator.Api;
using Lamina.Operator.Concurrency;
using Lamina.Testing;
using Lamina.Testing.Fakes;

namespace Lamina.Bench;

/// <summary>
/// A Function with one execution environment and no cluster: the published shim + Node RIC (the
/// conformance function, examples/runtimes/node) as a process on loopback, and the API-server fixture
/// holding the Function and a Pod whose status the bench writes (Running, Ready, pod IP 127.0.0.1,
/// container port <c>invoke</c> = the shim's port). The operator's controller runs in the bench process
/// (<see cref="RunningOperator"/>) and its concurrency controller takes that pod as the function's one
/// environment; gateways started with <see cref="DiscoveryArgument"/> find it through the operator's
/// Lease and lease the environment from it, so they route to a real shim process.
/// </summary>
internal sealed class LoopbackFunction : IAsyncDisposable
{
    public const string Namespace = "bench";
    public const string FunctionName = "node";

    /// <summary>
    /// The Function's idle time: longer than any run, so that the autoscaler never scales the function
    /// to zero between series (which only writes the Deployment's scale, but says the wrong thing).
    /// </summary>
    private const int IdleSeconds = 24 * 3600;

    private readonly ApiServerFixtureScope _apiServer;
    private readonly KubernetesObjectClient _client;
    private readonly RunningOperator _operator;

    private LoopbackFunction(ShimProcess environment, ApiServerFixtureScope apiServer, KubernetesObjectClient client, RunningOperator running, string kubeconfig)
    {
        Environment = environment;
        _apiServer = apiServer;
        _client = client;
        _operator = running;
        Kubeconfig = kubeconfig;
    }

    /// <summary>The function's one environment: the shim process and its Node runtime.</summary>
    public ShimProcess Environment { get; }

    /// <summary>The API server, for objects a benchmark adds (access keys).</summary>
    public IKubernetesClient Client => _client;

    /// <summary>A kubeconfig for gateway processes, its default namespace <see cref="Namespace"/>.</summary>
    public string Kubeconfig { get; }

    /// <summary>Makes a gateway find the concurrency controller through the operator's Lease, as in a cluster.</summary>
    public static string DiscoveryArgument => $"--Lamina:Gateway:Controller:LeaseNamespace={Namespace}";

    /// <summary>The function's Invoke URL on <paramref name="gateway"/>.</summary>
    public static Uri InvokeUri(GatewayProcess gateway) =>
        new(gateway.Endpoint, $"/2015-03-31/functions/{Namespace}.{FunctionName}/invocations");

    /// <summary>
    /// Starts the shim (ready), the API server with the Function CRD, the operator (leading), then the
    /// Function and its pod. <paramref name="concurrency"/> changes the concurrency controller's settings
    /// (a benchmark that kills gateways shortens how long their leases outlive them).
    /// </summary>
    public static async Task<LoopbackFunction> StartAsync(string shim, RepositoryLayout layout, Action<ConcurrencyOptions>? concurrency = null)
    {
        var node = ShimBenchmark.NodeRuntime(layout);
        var environment = await ShimProcess.StartAsync(
            [Path.Combine(node, "bin/node"), Path.Combine(node, "node_modules/aws-lambda-ric/index.mjs")],
            new Dictionary<string, string>
            {
                ["LAMBDA_TASK_ROOT"] = Path.Combine(layout.Root, "examples/runtimes/node"),
                ["_HANDLER"] = "index.handler",
            },
            binary: shim);
        var apiServer = new ApiServerFixtureScope();
        KubernetesObjectClient? client = null;
        RunningOperator? running = null;
        try
        {
            await apiServer.StartAsync();
            using (var http = apiServer.Fixture.CreateHttpClient())
            {
                await ApiServerFixtureScope.InstallFunctionCrdAsync(http);
            }

            client = apiServer.Fixture.CreateKubernetesClient();
            await client.CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });

            // The operator, with the concurrency controller, leading before the pod exists: a new leader
            // grants leases on environments that served before it led only after its learning period.
            running = await RunningOperator.StartAsync(client, new RecordingEventRecorder(), Namespace, concurrency: concurrency);
            await WaitUntilAsync(() => running.Leading, TimeSpan.FromSeconds(60), "the operator leads");
            await CreateFunctionAndPodAsync(client, environment.InvokeBase.Port);

            var kubeconfig = Path.Combine(apiServer.Fixture.WorkDirectory, "bench-gateway.kubeconfig");
            apiServer.Fixture.WriteKubeconfig(kubeconfig, Namespace);
            return new LoopbackFunction(environment, apiServer, client, running, kubeconfig);
        }
        catch
        {
            if (running is not null)
            {
                await running.DisposeAsync();
            }

            client?.Dispose();
            await apiServer.DisposeAsync();
            await environment.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _operator.DisposeAsync();
        _client.Dispose();
        await _apiServer.DisposeAsync();
        await Environment.DisposeAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"bench: not within {timeout.TotalSeconds:F0} s: {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>
    /// The Function and, playing the ReplicaSet and the kubelet, its one pod: the labels of the operator's
    /// on-demand pod template (which its pod informer selects on), a container <c>function</c> with a port
    /// named <c>invoke</c>, and a status that makes the concurrency controller count it as serving. No
    /// ReplicaSet owns it, so the Deployment's scale, which the autoscaler writes, never touches it.
    /// </summary>
    private static async Task CreateFunctionAndPodAsync(IKubernetesClient client, int invokePort)
    {
        await client.CreateAsync(new Function
        {
            Metadata = new V1ObjectMeta { Name = FunctionName, NamespaceProperty = Namespace },
            Spec = new FunctionSpec
            {
                Image = "docker.io/lamina/example-node:dev",
                Handler = "index.handler",
                Scaling = new FunctionScaling { IdleSeconds = IdleSeconds },
            },
        });
        await AddPodAsync(client, $"{FunctionName}-fn-bench", invokePort);
    }

    /// <summary>
    /// A pod of the function as the operator's on-demand template labels it, running (by its status
    /// alone) at 127.0.0.1:<paramref name="invokePort"/>: one more environment for the controller to
    /// lease, whose shim the caller runs on this machine.
    /// </summary>
    public static async Task AddPodAsync(IKubernetesClient client, string name, int invokePort)
    {
        ArgumentNullException.ThrowIfNull(client);
        var pod = await client.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = Namespace,
                Labels = new Dictionary<string, string>
                {
                    ["app.kubernetes.io/managed-by"] = "lamina",
                    ["app.kubernetes.io/component"] = "function",
                    ["app.kubernetes.io/name"] = FunctionName,
                    ["lamina.dev/function"] = FunctionName,
                    ["lamina.dev/init-type"] = "on-demand",
                },
            },
            Spec = new V1PodSpec
            {
                NodeName = "no-such-node",
                Containers =
                [
                    new V1Container
                    {
                        Name = "function",
                        Image = "docker.io/lamina/example-node:dev",
                        Ports = [new V1ContainerPort { Name = "invoke", ContainerPort = invokePort, Protocol = "TCP" }],
                    },
                ],
            },
        });
        pod.Status = new V1PodStatus
        {
            Phase = "Running",
            PodIP = "127.0.0.1",
            Conditions = [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = DateTime.UtcNow }],
        };
        await client.ReplaceStatusAsync(pod);
    }
}
