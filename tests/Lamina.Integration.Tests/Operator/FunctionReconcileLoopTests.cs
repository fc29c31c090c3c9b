extern alias laminaoperator;

using System.Globalization;
using System.Text;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Events;
using k8s;
using k8s.Models;
using laminaoperator::Lamina.Operator.Api;
using laminaoperator::Lamina.Operator.Reconciliation;
using Lamina.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Lamina.Integration.Tests.Operator;

/// <summary>
/// The operator's controller against a real API server: Functions become Deployments and
/// Services with owner references and status; drift is repaired; what the schema cannot
/// reject is reported as InvalidSpec; a pod that cannot run the shim is reported in the status.
/// (No controller-manager or kubelet runs here, so Deployments never roll out unless a test writes
/// their status, pods exist only when a test creates them, and garbage collection is covered by the
/// end-to-end tests.)
/// </summary>
[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class FunctionReconcileLoopTests(ApiServerFixture apiServer, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _ns = "ctl-" + DateTime.UtcNow.ToString("HHmmssfff", CultureInfo.InvariantCulture);
    private KubernetesEventRecorder? _events;
    private IKubernetesClient _client = null!;
    private RunningOperator? _operator;

    public async Task InitializeAsync()
    {
        using (var http = apiServer.CreateHttpClient())
        {
            await CustomResources.InstallFunctionCrdAsync(http);
        }

        _client = apiServer.CreateKubernetesClient();
        await _client.CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = _ns } });
        var logs = TestOutputLoggerProvider.Factory(output);
        _events = new KubernetesEventRecorder(
            _client, Options.Create(new EventRecorderOptions()), TimeProvider.System, logs.CreateLogger<KubernetesEventRecorder>());
        _operator = await RunningOperator.StartAsync(_client, _events, _ns, logs, operatorSettings: new Dictionary<string, string?>
        {
            // As the chart renders operator.runtimes and the code endpoint.
            ["Runtimes:nodejs22.x:Image"] = "docker.io/lamina/runtime-nodejs22:dev",
            ["Runtimes:provided.al2023:Image"] = "docker.io/lamina/runtime-provided:dev",
            ["Runtimes:provided.al2023:HandlerRequired"] = "false",
            ["CodeEndpoint"] = "http://lamina-gateway.lamina-system.svc:8085",
        });
    }

    public async Task DisposeAsync()
    {
        if (_operator is not null)
        {
            await _operator.DisposeAsync();
        }

        if (_events is not null)
        {
            await _events.DisposeAsync();
        }

    }

    [Fact]
    public async Task Create_Function_DeploymentAndServiceOwnedWithStatus()
    {
        var function = await _client.CreateAsync(NewFunction("hello"));

        var deployment = await EventuallyGetAsync<V1Deployment>("hello-fn");
        var service = await EventuallyGetAsync<V1Service>("hello-fn");
        var status = await EventuallyAsync("hello", f => f.Status?.ObservedGeneration == 1);

        foreach (var owner in new[] { deployment.Metadata.OwnerReferences!.Single(), service.Metadata.OwnerReferences!.Single() })
        {
            Assert.Equal((function.Metadata.Uid, true, "Function"), (owner.Uid, owner.Controller, owner.Kind));
        }

        Assert.Equal($"arn:aws:lambda:us-east-1:000000000000:function:{_ns}.hello", status.Status!.FunctionArn);
        Assert.Equal("True", FunctionConditions.Find(status.Status.Conditions, "ConfigValid")!.Status);
        Assert.Equal("Progressing", FunctionConditions.Find(status.Status.Conditions, "Ready")!.Reason);
        // A real core/v1 Event, as kubectl describe shows it.
        await _events!.FlushAsync();
        var events = await _client.ListAsync<Corev1Event>(_ns);
        Assert.Contains(events.Items, e => e.InvolvedObject.Name == "hello" && e.InvolvedObject.Kind == "Function"
            && e.Reason == "Created" && e.Type == "Normal" && e.Message == "Created Deployment hello-fn");
    }

    [Fact]
    public async Task EditDeployment_ImageChangedByHand_Repaired()
    {
        await _client.CreateAsync(NewFunction("drift"));
        await EventuallyGetAsync<V1Deployment>("drift-fn");

        await _client.MergePatchAsync<V1Deployment>(_ns, "drift-fn",
            """{ "spec": { "template": { "spec": { "containers": [ { "name": "function", "image": "evil:latest" } ] } } } }""");

        await Eventually.HoldsAsync(() => _image == "docker.io/lamina/example-node:dev", Deadline, "the operator puts the image back", async () =>
        {
            var current = await _client.GetAsync<V1Deployment>(_ns, "drift-fn");
            _image = current.Spec!.Template!.Spec!.Containers!.Single(c => c.Name == "function").Image;
        });
    }

    [Fact]
    public async Task ChangeSpec_AfterScaling_UpdatedWithoutResettingReplicas()
    {
        await _client.CreateAsync(NewFunction("scaled"));
        await EventuallyGetAsync<V1Deployment>("scaled-fn");
        await _client.SetScaleAsync<V1Deployment>(_ns, "scaled-fn", 3);

        await _client.MergePatchAsync<Function>(_ns, "scaled", """{ "spec": { "memoryMB": 1024 } }""");

        V1Deployment? deployment = null;
        // The API server stores 1024Mi in canonical form (1Gi): compare values.
        await Eventually.HoldsAsync(() => SemanticSubset.Quantity(deployment?.Spec!.Template!.Spec!.Containers![0].Resources!.Limits!["memory"]?.ToString() ?? "0") == 1024m * 1024 * 1024, Deadline,
            "the new memory size reaches the Deployment", async () => deployment = await _client.GetAsync<V1Deployment>(_ns, "scaled-fn"));
        Assert.Equal(3, deployment!.Spec!.Replicas);
    }

    public static TheoryData<string, string, string> InvalidSpecs => new()
    {
        { "provisioned over reserved", """{ "concurrency": { "reserved": 1, "provisioned": 2 } }""", "spec.concurrency.provisioned (2) exceeds spec.concurrency.reserved (1)" },
        { "reserved variable", """{ "env": [ { "name": "AWS_LAMBDA_RUNTIME_API", "value": "x" } ] }""", "spec.env[0].name: AWS_LAMBDA_RUNTIME_API is reserved" },
        { "unknown destination", """{ "async": { "onSuccess": { "function": "nowhere" } } }""", "spec.async.onSuccess.function: no function \"nowhere\"" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public async Task Create_SpecTheSchemaCannotReject_InvalidSpecCondition(string scenario, string patch, string expected)
    {
        var name = "invalid-" + Math.Abs(scenario.GetHashCode(StringComparison.Ordinal)).ToString(CultureInfo.InvariantCulture)[..6];
        await _client.CreateAsync(NewFunction(name));
        await _client.MergePatchAsync<Function>(_ns, name, $$"""{ "spec": {{patch}} }""");

        var function = await EventuallyAsync(name, f => FunctionConditions.Find(f.Status?.Conditions, "Ready")?.Reason == "InvalidSpec");

        Assert.Contains(expected, FunctionConditions.Find(function.Status!.Conditions, "Ready")!.Message, StringComparison.Ordinal);
        Assert.Equal("False", FunctionConditions.Find(function.Status.Conditions, "ConfigValid")!.Status);
    }

    [Fact]
    public async Task CreateDestination_AfterReferrer_ReferrerBecomesValid()
    {
        var referrer = NewFunction("referrer");
        referrer.Spec.Async = new FunctionAsync { OnFailure = new FunctionDestination { Function = "dead-letters" } };
        await _client.CreateAsync(referrer);
        await EventuallyAsync("referrer", f => FunctionConditions.Find(f.Status?.Conditions, "ConfigValid")?.Status == "False");

        await _client.CreateAsync(NewFunction("dead-letters"));

        await EventuallyAsync("referrer", f => FunctionConditions.Find(f.Status?.Conditions, "ConfigValid")?.Status == "True");
    }

    [Fact]
    public async Task PodCrashLoops_EnvironmentsHealthyAndReadyFalseWithWhy_ThenRecovers()
    {
        const string Expected = "pod crashing-fn-5d9f-abcde: container function: CrashLoopBackOff: exec /opt/lamina/runtime-shim: exec format error (exit code 1)";
        await _client.CreateAsync(NewFunction("crashing"));
        var deployment = await EventuallyGetAsync<V1Deployment>("crashing-fn");
        // The test plays the ReplicaSet and the kubelet: a pod with the template's labels, bound to a
        // node that does not exist, its status written through the status subresource.
        var pod = await _client.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "crashing-fn-5d9f-abcde", NamespaceProperty = _ns, Labels = deployment.Spec!.Template!.Metadata!.Labels },
            Spec = new V1PodSpec { NodeName = "no-such-node", Containers = [new V1Container { Name = "function", Image = "docker.io/lamina/example-node:dev" }] },
        });
        pod.Status = new V1PodStatus
        {
            Phase = "Running",
            ContainerStatuses =
            [
                new V1ContainerStatus
                {
                    Name = "function",
                    Image = "docker.io/lamina/example-node:dev",
                    RestartCount = 4,
                    State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff", Message = "back-off 1m20s restarting failed container=function" } },
                    LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error", Message = "exec /opt/lamina/runtime-shim: exec format error" } },
                },
            ],
        };
        pod = await _client.ReplaceStatusAsync(pod);

        var failing = await EventuallyAsync("crashing", f => FunctionConditions.Find(f.Status?.Conditions, "EnvironmentsHealthy")?.Status == "False");

        var health = FunctionConditions.Find(failing.Status!.Conditions, "EnvironmentsHealthy")!;
        var ready = FunctionConditions.Find(failing.Status.Conditions, "Ready")!;
        Assert.Equal(("CrashLoopBackOff", Expected), (health.Reason, health.Message));
        Assert.Equal(("False", "CrashLoopBackOff", Expected), (ready.Status, ready.Reason, ready.Message));

        // The image is fixed: the container runs and is ready, and the Deployment says so.
        var container = pod.Status!.ContainerStatuses!.Single();
        container.State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = DateTime.UtcNow } };
        container.Ready = true;
        await _client.ReplaceStatusAsync(pod);
        deployment = await _client.GetAsync<V1Deployment>(_ns, "crashing-fn");
        deployment.Status = new V1DeploymentStatus
        {
            ObservedGeneration = deployment.Metadata.Generation, Replicas = 1, UpdatedReplicas = 1, ReadyReplicas = 1, AvailableReplicas = 1,
        };
        await _client.ReplaceStatusAsync(deployment);

        var recovered = await EventuallyAsync("crashing", f => FunctionConditions.Find(f.Status?.Conditions, "Ready")?.Status == "True");

        var healthy = FunctionConditions.Find(recovered.Status!.Conditions, "EnvironmentsHealthy")!;
        Assert.Equal(("True", "Healthy"), (healthy.Status, healthy.Reason));
    }

    [Fact]
    public async Task EmptyTheTokenSecret_PodTemplatesKeepTheLastGoodHashesAndTheBreakIsReported()
    {
        await _client.CreateAsync(NewFunction("guarded"));
        await EventuallyGetAsync<V1Deployment>("guarded-fn");
        var secret = await EventuallyGetAsync<V1Secret>("lamina-invoke-token");
        var token = Encoding.UTF8.GetString(secret.Data!["tokens"]).Trim();
        string? hashes = null;
        await Eventually.HoldsAsync(() => hashes == Sha256(token), Deadline, "the Deployment carries the token's hash",
            async () => hashes = TokenHashes(await _client.GetAsync<V1Deployment>(_ns, "guarded-fn")));
        var generation = (await _client.GetAsync<V1Deployment>(_ns, "guarded-fn")).Metadata.Generation;

        // Emptied (a tool that "resets" Secrets it does not own): the operator reads it within 10 s.
        await _client.MergePatchAsync<V1Secret>(_ns, "lamina-invoke-token", """{ "data": { "tokens": "" } }""");
        IList<Corev1Event> events = [];
        await Eventually.HoldsAsync(() => events.Any(e => e.Reason == "InvalidInvokeTokenSecret" && e.Type == "Warning"), Deadline,
            "a Warning Event on the Secret", async () =>
            {
                await _events!.FlushAsync();
                events = [.. (await _client.ListAsync<Corev1Event>(_ns)).Items.Where(e => e.InvolvedObject.Kind == "Secret" && e.InvolvedObject.Name == "lamina-invoke-token")];
            });

        // Nothing rolled, and the Secret was not replaced by a token no gateway holds.
        var kept = await _client.GetAsync<V1Deployment>(_ns, "guarded-fn");
        Assert.Equal(Sha256(token), TokenHashes(kept));
        Assert.Equal(generation, kept.Metadata.Generation);
        var emptied = await _client.GetAsync<V1Secret>(_ns, "lamina-invoke-token");
        Assert.True(emptied.Data is null || !emptied.Data.TryGetValue("tokens", out var left) || left.Length == 0, "the emptied Secret was refilled");

        // Repaired with a new token: the pods get its hash.
        await _client.MergePatchAsync<V1Secret>(_ns, "lamina-invoke-token",
            $$"""{ "data": { "tokens": "{{Convert.ToBase64String("new-token\n"u8)}}" } }""");
        await Eventually.HoldsAsync(() => hashes == Sha256("new-token"), Deadline, "the Deployment carries the new token's hash",
            async () => hashes = TokenHashes(await _client.GetAsync<V1Deployment>(_ns, "guarded-fn")));
    }

    private const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    /// <summary>Two small zips: an empty archive, and one with a different comment.</summary>
    private static readonly byte[] ZipA = [(byte)'P', (byte)'K', 5, 6, .. new byte[18]];
    private static readonly byte[] ZipB = [(byte)'P', (byte)'K', 5, 6, .. new byte[16], 1, 0, (byte)'b'];

    [Fact]
    public async Task Create_ZipFunction_DeploymentRunsTheRuntimeAfterFetchCode()
    {
        var function = NewZipFunction("zipped");
        function.Spec.Layers = [new FunctionLayer { Sha256 = new string('a', 64), Size = 10 }];
        await _client.CreateAsync(function);

        var pod = (await EventuallyGetAsync<V1Deployment>("zipped-fn")).Spec!.Template!.Spec!;

        var runner = pod.Containers!.Single();
        Assert.Equal("docker.io/lamina/runtime-nodejs22:dev", runner.Image);
        Assert.Equal(["install-shim", "fetch-code"], pod.InitContainers!.Select(c => c.Name));
        var fetch = pod.InitContainers![1];
        Assert.Equal(
            ["--code", $"sha256:{Digest}:1234", "--layer", $"sha256:{new string('a', 64)}:10", "--store", "http://lamina-gateway.lamina-system.svc:8085",
             "--namespace", _ns, "--token-file", "/var/run/secrets/lamina.dev/code/token", "--task", "/var/task", "--opt", "/opt"],
            fetch.Args);
        Assert.Equal("FallbackToLogsOnError", fetch.TerminationMessagePolicy);
        Assert.All(runner.VolumeMounts!.Where(m => m.MountPath is "/var/task" or "/opt" or "/opt/lamina"), m => Assert.True(m.ReadOnlyProperty));
        Assert.DoesNotContain(runner.VolumeMounts!, m => m.Name == "lamina-code-token");
        Assert.Contains(fetch.VolumeMounts!, m => m.Name == "lamina-code-token");
        Assert.False(pod.AutomountServiceAccountToken);
        var token = pod.Volumes!.Single(v => v.Name == "lamina-code-token").Projected!.Sources!.Single().ServiceAccountToken!;
        Assert.Equal(("lamina.dev/code", 600L), (token.Audience, token.ExpirationSeconds));
        var ready = await EventuallyAsync("zipped", f => f.Status?.ObservedGeneration == 1);
        Assert.Equal("True", FunctionConditions.Find(ready.Status!.Conditions, "ConfigValid")!.Status);
    }

    [Fact]
    public async Task UpdateCodeConfigMap_DeploymentGetsTheNewDigest()
    {
        var function = NewZipFunction("gitops");
        function.Spec.Code = new FunctionCode { ConfigMap = new FunctionCodeConfigMap { Name = "gitops-code", Key = "function.zip" } };
        await _client.CreateAsync(function);
        // No ConfigMap yet: no children, so nothing but the ConfigMap's own event can reconcile the function again
        // (the Function's status writes do not), and the test sees that event at work.
        await EventuallyAsync("gitops", f => FunctionConditions.Find(f.Status?.Conditions, "Ready")?.Reason == "CodeConfigMapNotFound");
        await _client.CreateAsync(CodeConfigMap("gitops-code", ZipA, labelled: true));
        string? code = null;
        await Eventually.HoldsAsync(() => code == $"sha256:{Hex(ZipA)}:{ZipA.Length}", Deadline, "the Deployment fetches the ConfigMap's zip",
            async () => code = await FetchCodeArgumentAsync("gitops-fn"));

        // A GitOps tool applies the repository's new zip.
        await _client.MergePatchAsync<V1ConfigMap>(_ns, "gitops-code", $$"""{ "binaryData": { "function.zip": "{{Convert.ToBase64String(ZipB)}}" } }""");

        await Eventually.HoldsAsync(() => code == $"sha256:{Hex(ZipB)}:{ZipB.Length}", Deadline, "the Deployment fetches the new zip",
            async () => code = await FetchCodeArgumentAsync("gitops-fn"));
    }

    [Fact]
    public async Task CodeConfigMapWithoutTheLabel_NotFoundWithTheCommandThenLabelled_Reconciled()
    {
        await _client.CreateAsync(CodeConfigMap("plain-code", ZipA, labelled: false));
        var function = NewZipFunction("plain");
        function.Spec.Code = new FunctionCode { ConfigMap = new FunctionCodeConfigMap { Name = "plain-code", Key = "function.zip" } };
        await _client.CreateAsync(function);

        var refused = await EventuallyAsync("plain", f => FunctionConditions.Find(f.Status?.Conditions, "Ready")?.Reason == "CodeConfigMapNotFound");
        Assert.Contains($"kubectl label configmap plain-code -n {_ns} lamina.dev/code=true", FunctionConditions.Find(refused.Status!.Conditions, "Ready")!.Message, StringComparison.Ordinal);

        await _client.MergePatchAsync<V1ConfigMap>(_ns, "plain-code", """{ "metadata": { "labels": { "lamina.dev/code": "true" } } }""");

        await EventuallyGetAsync<V1Deployment>("plain-fn");
        await EventuallyAsync("plain", f => FunctionConditions.Find(f.Status?.Conditions, "ConfigValid")?.Status == "True");
    }

    [Fact]
    public async Task Create_ZipOnARuntimeTheInstallationLacks_UnsupportedRuntimeListingItsRuntimes()
    {
        var function = NewZipFunction("rubyish");
        function.Spec.Runtime = "ruby3.2";
        await _client.CreateAsync(function);

        var refused = await EventuallyAsync("rubyish", f => FunctionConditions.Find(f.Status?.Conditions, "Ready")?.Reason == "UnsupportedRuntime");

        Assert.Contains("it has: nodejs22.x, provided.al2023", FunctionConditions.Find(refused.Status!.Conditions, "Ready")!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchCodeFails_ReadyFalseCodeFetchFailedWithTheTerminationMessage()
    {
        const string Why = "runtime-shim fetch: sha256 mismatch for the code";
        await _client.CreateAsync(NewZipFunction("unfetched"));
        var deployment = await EventuallyGetAsync<V1Deployment>("unfetched-fn");
        // The test plays the kubelet: the fetch init container exited 1 and is backing off.
        var pod = await _client.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "unfetched-fn-5d9f-abcde", NamespaceProperty = _ns, Labels = deployment.Spec!.Template!.Metadata!.Labels },
            Spec = new V1PodSpec { NodeName = "no-such-node", Containers = [new V1Container { Name = "function", Image = "docker.io/lamina/runtime-nodejs22:dev" }] },
        });
        pod.Status = new V1PodStatus
        {
            Phase = "Pending",
            InitContainerStatuses =
            [
                new V1ContainerStatus { Name = "install-shim", Image = "docker.io/lamina/runtime-shim:dev", Ready = true, State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Reason = "Completed" } } },
                new V1ContainerStatus
                {
                    Name = "fetch-code",
                    Image = "docker.io/lamina/runtime-shim:dev",
                    RestartCount = 2,
                    State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff", Message = "back-off 20s restarting failed container=fetch-code" } },
                    LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error", Message = Why } },
                },
            ],
            ContainerStatuses = [new V1ContainerStatus { Name = "function", Image = "docker.io/lamina/runtime-nodejs22:dev", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "PodInitializing" } } }],
        };
        await _client.ReplaceStatusAsync(pod);

        var failing = await EventuallyAsync("unfetched", f => FunctionConditions.Find(f.Status?.Conditions, "Ready")?.Reason == "CodeFetchFailed");

        Assert.Equal($"pod unfetched-fn-5d9f-abcde: init container fetch-code: CrashLoopBackOff: {Why} (exit code 1)",
            FunctionConditions.Find(failing.Status!.Conditions, "Ready")!.Message);
    }

    private Function NewZipFunction(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = _ns },
        Spec = new FunctionSpec
        {
            Runtime = "nodejs22.x",
            Handler = "index.handler",
            Code = new FunctionCode { Zip = new FunctionCodeZip { Sha256 = Digest, Size = 1234 } },
        },
    };

    private V1ConfigMap CodeConfigMap(string name, byte[] zip, bool labelled) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = _ns,
            Labels = labelled ? new Dictionary<string, string> { ["lamina.dev/code"] = "true" } : null,
        },
        BinaryData = new Dictionary<string, byte[]> { ["function.zip"] = zip },
    };

    private async Task<string?> FetchCodeArgumentAsync(string deployment)
    {
        try
        {
            var fetch = (await _client.GetAsync<V1Deployment>(_ns, deployment)).Spec!.Template!.Spec!.InitContainers?.SingleOrDefault(c => c.Name == "fetch-code");
            return fetch?.Args?[1];
        }
        catch (KubernetesApiException error) when (error.IsNotFound)
        {
            return null;
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    private static string Sha256(string token) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string? TokenHashes(V1Deployment deployment) =>
        deployment.Spec!.Template!.Spec!.Containers!.Single(c => c.Name == "function").Env!.SingleOrDefault(e => e.Name == "LAMINA_INVOKE_TOKEN_SHA256")?.Value;

    private string? _image;

    private Function NewFunction(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = _ns },
        Spec = new FunctionSpec { Image = "docker.io/lamina/example-node:dev", Handler = "index.handler" },
    };

    private async Task<T> EventuallyGetAsync<T>(string name)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        T? found = null;
        await Eventually.HoldsAsync(() => found is not null, Deadline, $"{ResourceType.Of<T>().Kind} {_ns}/{name} exists", async () =>
        {
            try
            {
                found = await _client.GetAsync<T>(_ns, name);
            }
            catch (KubernetesApiException error) when (error.IsNotFound)
            {
                found = null;
            }
        });
        return found!;
    }

    private async Task<Function> EventuallyAsync(string name, Func<Function, bool> condition)
    {
        Function? current = null;
        await Eventually.HoldsAsync(() => current is not null && condition(current), Deadline, $"function {name} reaches the expected status",
            async () => current = await _client.GetAsync<Function>(_ns, name));
        return current!;
    }
}
