using System.Diagnostics;
using System.Text;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Testing;
using Xunit.Abstractions;

namespace Lamina.EndToEnd.Tests.Scaling;

/// <summary>
/// Scaling and the concurrency controller on the real cluster, through two gateway processes, with
/// boto3 as the client: scale from zero (1, then 100 at once), to zero, the reserved cap as a hard cap
/// across gateways (the conformance function's witness counts overlapping executions), reserved 0,
/// provisioned concurrency, the pool's refusal, a function that cannot start, and the controller's
/// leader killed under load. The operator runs in the test process with short windows so that each
/// scenario takes seconds.
/// </summary>
[Collection(LocalClusterCollection.Name)]
[Trait(TestTiers.Category, TestTiers.EndToEnd)]
public sealed class ScalingTests(LocalCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private const string KeyId = "AKIALAMINAE2ESCALE01";
    private const string Secret = "e2e/secret/key/for/lamina/scaling/tests0";
    private const string BashImage = "docker.io/lamina/example-provided:dev";

    /// <summary>The host's address on the cluster bridge, which pods reach (the witness listens there).</summary>
    private const string BridgeAddress = "10.244.0.1";

    private FunctionNamespace _namespace = null!;
    private GatewayProcess _first = null!;
    private GatewayProcess _second = null!;
    private AwsClients _aws = null!;

    public async Task InitializeAsync()
    {
        _namespace = await FunctionNamespace.CreateAsync(cluster, "e2e-scale-", concurrency =>
        {
            concurrency.StableWindow = TimeSpan.FromSeconds(6);
            concurrency.PanicWindow = TimeSpan.FromSeconds(2);
            concurrency.LeaseTtl = TimeSpan.FromSeconds(10);
            concurrency.PoolSize = 200;
            concurrency.UnreservedMinimum = 100;
        });
        var ns = _namespace.Name;
        await _namespace.Client.CreateAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "caller", NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["lamina.dev/access-key"] = "true" } },
            StringData = new Dictionary<string, string> { ["accessKeyId"] = KeyId, ["secretAccessKey"] = Secret, ["namespaces"] = ns, ["defaultNamespace"] = ns },
        });
        string[] arguments = [$"--Lamina:Gateway:Auth:AccessKeyNamespace={ns}", $"--Lamina:Gateway:Controller:LeaseNamespace={ns}"];
        _first = await GatewayProcess.StartAsync(cluster.Layout.ClusterKubeconfig, arguments);
        _second = await GatewayProcess.StartAsync(cluster.Layout.ClusterKubeconfig, arguments);
        _aws = new AwsClients(_first.Endpoint, KeyId, Secret);
    }

    public async Task DisposeAsync()
    {
        foreach (var gateway in new[] { _first, _second })
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }
        }

        await _namespace.DisposeAsync();
    }

    [Fact]
    public async Task Invoke_FunctionAtZero_OneThenAHundredConcurrentAllSucceed()
    {
        await CreateAsync("cold", scaling: new FunctionScaling { IdleSeconds = 600 });
        Assert.Equal(0, await DesiredReplicasAsync("cold-fn"));
        Assert.Empty(await PodsAsync("cold"));

        var clock = Stopwatch.StartNew();
        var one = await _aws.Boto3InvokeAsync("cold", """{"first":1}"""u8.ToArray());
        output.WriteLine($"first invocation from zero: {clock.ElapsedMilliseconds} ms");
        Assert.Equal(200, one.StatusCode);
        Assert.Null(one.FunctionError);

        await CreateAsync("burst", scaling: new FunctionScaling { IdleSeconds = 600 });
        Assert.Empty(await PodsAsync("burst"));
        clock.Restart();
        // 100 at once asks for 100 environments; this 2-core node fits about 27 function pods, so the
        // rest stay Pending and the invocations take turns on the ones that start.
        var calls = await _aws.Boto3LoadAsync([_first.Endpoint, _second.Endpoint], "burst", """{"burst":100}"""u8.ToArray(), threads: 100, TimeSpan.FromMinutes(2), callsPerThread: 1);
        output.WriteLine($"100 at once from zero: {clock.ElapsedMilliseconds} ms; answered between {calls.Min(c => c.Answered):0.00} and {calls.Max(c => c.Answered):0.00} s");
        Assert.Equal(100, calls.Count);
        Assert.All(calls, call => Assert.True(call.HttpStatus == 200 && call.FunctionError is null, $"{call.HttpStatus} {call.ErrorCode} {call.Reason} {call.FunctionError}"));
    }

    [Fact]
    public async Task Invoke_AfterIdleSeconds_ScaledToZeroAndAnInvocationRacingTheScaleDownSucceeds()
    {
        await CreateAsync("idle", scaling: new FunctionScaling { IdleSeconds = 3 });
        Assert.Equal(200, (await _aws.Boto3InvokeAsync("idle", "{}"u8.ToArray())).StatusCode);
        Assert.NotEmpty(await PodsAsync("idle"));

        // The controller writes replicas 0 after 3 s idle; invoke the moment it does, while the pod terminates.
        await Eventually.HoldsAsync(async () => await DesiredReplicasAsync("idle-fn") == 0, TimeSpan.FromSeconds(60), "the idle function is scaled to zero");
        var racing = await _aws.Boto3InvokeAsync("idle", """{"racing":"scale-down"}"""u8.ToArray());
        Assert.Equal(200, racing.StatusCode);
        Assert.Null(racing.FunctionError);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Invoke_TenClientsThroughTwoGatewaysAgainstReserved_NeverAboveTheCapExcessThrottled(int reserved)
    {
        var name = $"capped-{reserved}";
        await CreateAsync(name, reserved: reserved);
        using var witness = Witness.Start(BridgeAddress);
        var payload = Encoding.UTF8.GetBytes($$"""{"witness":"{{witness.Url}}","sleepMs":200}""");

        var calls = await _aws.Boto3LoadAsync([_first.Endpoint, _second.Endpoint], name, payload, threads: 10, TimeSpan.FromSeconds(20));

        var ok = calls.Count(c => c.HttpStatus == 200 && c.FunctionError is null);
        var throttled = calls.Where(c => c.HttpStatus == 429).ToList();
        output.WriteLine($"reserved {reserved}: {calls.Count} calls, {ok} succeeded, {throttled.Count} throttled, most inside at once {witness.MaximumTotal}");
        Assert.True(witness.MaximumTotal <= reserved, $"{witness.MaximumTotal} executions overlapped with reserved concurrency {reserved}");
        Assert.Equal(reserved, witness.MaximumTotal);
        Assert.NotEmpty(throttled);
        Assert.All(throttled, call =>
        {
            Assert.Equal("TooManyRequestsException", call.ErrorCode);
            Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", call.Reason);
        });
        Assert.Equal(calls.Count, ok + throttled.Count);
    }

    [Fact]
    public async Task Invoke_AsManyClientsAsReservedThroughTwoGateways_NeverThrottled()
    {
        await CreateAsync("at-cap", reserved: 3);
        var calls = await _aws.Boto3LoadAsync([_first.Endpoint, _second.Endpoint], "at-cap", """{"sleepMs":100}"""u8.ToArray(), threads: 3, TimeSpan.FromSeconds(10));

        Assert.NotEmpty(calls);
        Assert.All(calls, call => Assert.True(call.HttpStatus == 200, $"{call.HttpStatus} {call.ErrorCode} {call.Reason} at {call.Sent:0.00} s"));
    }

    [Fact]
    public async Task Invoke_ReservedZero_ThrottledWithTheReservedReason()
    {
        await CreateAsync("off", reserved: 0);

        var calls = await _aws.Boto3LoadAsync([_first.Endpoint], "off", "{}"u8.ToArray(), threads: 1, TimeSpan.FromSeconds(30), callsPerThread: 1);

        var call = Assert.Single(calls);
        Assert.Equal(429, call.HttpStatus);
        Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", call.Reason);
        Assert.Empty(await PodsAsync("off"));
    }

    [Fact]
    public async Task Invoke_ProvisionedTwo_ReadyBeforeTrafficNoColdStartSpilloverForAThird()
    {
        await CreateAsync("warm", reserved: 5, provisioned: 2, timeoutSeconds: 30);
        await Eventually.HoldsAsync(async () => (await PodsAsync("warm")).Count(p => IsReady(p) && p.Metadata.Labels["lamina.dev/init-type"] == "provisioned-concurrency") == 2,
            TimeSpan.FromSeconds(120), "two provisioned environments are ready before any invocation");

        using var witness = Witness.Start(BridgeAddress);
        var payload = Encoding.UTF8.GetBytes($$"""{"witness":"{{witness.Url}}","sleepMs":1000}""");
        var two = await _aws.Boto3LoadAsync([_first.Endpoint, _second.Endpoint], "warm", payload, threads: 2, TimeSpan.FromMinutes(1), callsPerThread: 1, logType: "Tail");
        Assert.All(two, call =>
        {
            Assert.Equal(200, call.HttpStatus);
            Assert.DoesNotContain("Init Duration", Encoding.UTF8.GetString(Convert.FromBase64String(call.LogResult!)), StringComparison.Ordinal);
        });

        // A third at once spills over to an on-demand environment, started for it: the calls last longer
        // than that environment's cold start, so the third is not served by a provisioned one freeing up.
        var longCalls = Encoding.UTF8.GetBytes("""{"sleepMs":20000}""");
        var three = await _aws.Boto3LoadAsync([_first.Endpoint], "warm", longCalls, threads: 3, TimeSpan.FromMinutes(2), callsPerThread: 1, logType: "Tail");
        Assert.All(three, call => Assert.Equal(200, call.HttpStatus));
        Assert.Contains(await PodsAsync("warm"), p => p.Metadata.Labels["lamina.dev/init-type"] == "on-demand");
        var metrics = await new HttpClient().GetStringAsync(new Uri(_first.Endpoint, "/metrics"));
        Assert.Contains("lamina_provisioned_concurrency_spillover_invocations_total", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletePod_Provisioned_Replaced()
    {
        await CreateAsync("kept", provisioned: 1);
        await Eventually.HoldsAsync(async () => (await PodsAsync("kept")).Count(IsReady) == 1, TimeSpan.FromSeconds(120), "the provisioned environment is ready");
        var first = (await PodsAsync("kept")).Single();

        await cluster.Kubectl.RunAsync(null, "delete", "pod", "-n", _namespace.Name, first.Metadata.Name, "--wait=false");

        await Eventually.HoldsAsync(async () => (await PodsAsync("kept")).Any(p => p.Metadata.Name != first.Metadata.Name && IsReady(p)),
            TimeSpan.FromSeconds(120), "a new provisioned environment replaces the deleted one");
        Assert.Equal(200, (await _aws.Boto3InvokeAsync("kept", "{}"u8.ToArray())).StatusCode);
    }

    [Fact]
    public async Task Apply_ReservationBeyondThePool_NotReadyConcurrencyPoolExceeded()
    {
        // The pool is 200 with 100 kept unreserved: 150 cannot be reserved.
        await CreateAsync("greedy", reserved: 150);

        await Eventually.HoldsAsync(async () =>
        {
            var function = await _namespace.Client.GetAsync<Function>(_namespace.Name, "greedy");
            var ready = function.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
            return ready is { Status: "False", Reason: "ConcurrencyPoolExceeded" };
        }, TimeSpan.FromSeconds(60), "the Function reports ConcurrencyPoolExceeded");
        var refused = await _aws.Boto3InvokeAsync("greedy", "{}"u8.ToArray());
        Assert.Equal(502, refused.HttpStatus);
    }

    [Fact]
    public async Task Invoke_ImageThatCannotStart_502WithTheReason()
    {
        await CreateAsync("broken", image: "docker.io/lamina/no-such-image:dev");

        var result = await _aws.Boto3InvokeAsync("broken", "{}"u8.ToArray());

        Assert.Equal(502, result.HttpStatus);
        Assert.Contains("ErrImageNeverPull", result.ErrorMessage, StringComparison.Ordinal);
        await Eventually.HoldsAsync(async () =>
        {
            var function = await _namespace.Client.GetAsync<Function>(_namespace.Name, "broken");
            return function.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "False" && c.Reason == "ErrImageNeverPull") == true;
        }, TimeSpan.FromSeconds(60), "the Function's Ready condition says why");
    }

    [Fact]
    public async Task KillLeaderAndGateway_UnderLoad_CapHoldsAndEveryRequestAnswered()
    {
        await CreateAsync("failover", reserved: 2);
        await _namespace.StartReplicaAsync();
        using var witness = Witness.Start(BridgeAddress);
        var payload = Encoding.UTF8.GetBytes($$"""{"witness":"{{witness.Url}}","sleepMs":100}""");
        Assert.Equal(200, (await _aws.Boto3InvokeAsync("failover", payload)).StatusCode);

        var load = _aws.Boto3LoadAsync([_first.Endpoint, _second.Endpoint], "failover", payload, threads: 4, TimeSpan.FromSeconds(40));
        await Eventually.HoldsAsync(() => Task.FromResult(witness.Starts > 10), TimeSpan.FromSeconds(30), "load is flowing");
        var leader = _namespace.Operators.First(o => o.Leading);
        await _namespace.KillAsync(leader);
        await _second.DisposeAsync();
        _second = null!;
        var calls = await load;

        output.WriteLine($"{calls.Count} calls: {calls.GroupBy(c => $"{c.HttpStatus} {c.ErrorCode}").Select(g => $"{g.Key} x{g.Count()}").Aggregate((a, b) => a + ", " + b)}; most inside at once {witness.MaximumTotal}");
        Assert.True(witness.MaximumTotal <= 2, $"{witness.MaximumTotal} executions overlapped with reserved concurrency 2");
        // Every request got an HTTP answer. The surviving gateway answers 200 or 429; the stopped one
        // answered until it closed, then refused new invocations with a retryable 503 (or its connection),
        // once per client, which went on with the survivor (as it would behind a Service).
        Assert.All(calls.Where(c => c.Endpoint == 0), call => Assert.True(call.HttpStatus is 200 or 429, $"first gateway: {call.HttpStatus} {call.ErrorCode}"));
        var stopped = calls.Where(c => c.Endpoint == 1).ToList();
        Assert.All(stopped, call => Assert.True(call.HttpStatus is 200 or 429 or 0 || call is { HttpStatus: 503, ErrorCode: "ServiceException" }, $"stopped gateway: {call.HttpStatus} {call.ErrorCode}"));
        Assert.True(stopped.Count(c => c.HttpStatus is 503 or 0) <= 2, "each of the stopped gateway's two clients is refused once, then goes to the survivor");
        Assert.Contains(calls, call => call.HttpStatus == 200 && call.Sent > calls.Max(c => c.Sent) - 5);
    }

    [Fact]
    public async Task InvokeContract_CalledFromAnotherPod_RefusedWhileTheGatewayGetsIn()
    {
        await CreateAsync("guarded", provisioned: 1);
        await Eventually.HoldsAsync(async () => (await PodsAsync("guarded")).Any(IsReady), TimeSpan.FromSeconds(120), "the provisioned environment is ready");
        var ip = (await PodsAsync("guarded")).First(IsReady).Status.PodIP;

        // Any pod in the cluster can reach a function pod: it must not get past the gateway's SigV4 and cap.
        var script = $"curl -s -w ' %{{http_code}}\n' -X POST -H 'Lamina-Request-Id: intruder' -d '{{}}' http://{ip}:8080/lamina/v1/invoke; "
            + $"curl -s -w ' %{{http_code}}\n' -X POST -H 'Lamina-Request-Id: intruder' -H 'Lamina-Token: guessed' -d '{{}}' http://{ip}:8080/lamina/v1/invoke; "
            + $"curl -s -w ' %{{http_code}}\n' -X POST -d '{{}}' http://{ip}:8080/2015-03-31/functions/function/invocations";
        await _namespace.Client.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "intruder", NamespaceProperty = _namespace.Name },
            Spec = new V1PodSpec
            {
                RestartPolicy = "Never",
                AutomountServiceAccountToken = false,
                Containers = [new V1Container { Name = "curl", Image = BashImage, ImagePullPolicy = "Never", Command = ["bash", "-c", script] }],
            },
        });
        await Eventually.HoldsAsync(async () => (await _namespace.Client.GetAsync<V1Pod>(_namespace.Name, "intruder")).Status?.Phase is "Succeeded" or "Failed",
            TimeSpan.FromSeconds(120), "the intruder pod ran its calls");
        var log = await cluster.Kubectl.RunAsync(null, "logs", "intruder", "-n", _namespace.Name);
        output.WriteLine(log);

        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.EndsWith(" 401", lines[0], StringComparison.Ordinal);
        Assert.Contains("Only Lamina gateways may invoke", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" 401", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(" 404", lines[2], StringComparison.Ordinal);
        Assert.Equal(200, (await _aws.Boto3InvokeAsync("guarded", "{}"u8.ToArray())).StatusCode);
    }

    private async Task CreateAsync(string name, int? reserved = null, int? provisioned = null, FunctionScaling? scaling = null, string image = BashImage, int timeoutSeconds = 10)
    {
        await _namespace.Client.CreateAsync(new Function
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = _namespace.Name },
            Spec = new FunctionSpec
            {
                Image = image,
                TimeoutSeconds = timeoutSeconds,
                Concurrency = new FunctionConcurrency { Reserved = reserved, Provisioned = provisioned },
                Scaling = scaling ?? new FunctionScaling { IdleSeconds = 60 },
            },
        });
        await Eventually.HoldsAsync(async () =>
        {
            var function = await _namespace.Client.GetAsync<Function>(_namespace.Name, name);
            return function.Status?.ObservedGeneration == function.Metadata.Generation;
        }, TimeSpan.FromSeconds(60), $"the operator reconciles {name}");
    }

    private async Task<int?> DesiredReplicasAsync(string deployment) =>
        (await _namespace.Client.GetAsync<V1Deployment>(_namespace.Name, deployment)).Spec.Replicas;

    private async Task<IReadOnlyList<V1Pod>> PodsAsync(string function) =>
        (await _namespace.Client.ListAsync<V1Pod>(_namespace.Name, new Lamina.Kubernetes.Client.ListOptions { LabelSelector = $"lamina.dev/function={function}" })).Items.ToList();

    private static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
