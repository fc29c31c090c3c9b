using System.Diagnostics;
using System.Text;
using System.Text.Json;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Testing;
using Xunit.Abstractions;

namespace Lamina.EndToEnd.Tests.Async;

/// <summary>
/// Async (<c>Event</c>) invocations on the real cluster with boto3 as the client, through two gateway
/// processes that store the events and two worker processes that run them, sharing one real Redis
/// (AOF, fsync per write): 202 and the function runs with the caller's
/// request id; retries with the same id, then the on-failure destination's record; ageing out; the
/// success destination; the dead-letter stream and its redrive; and no loss while gateways and workers
/// are killed and Redis restarts. The conformance function's witness on the host sees every execution's request
/// id, and a destination function set with <c>CONFORMANCE_EVENTS_TO</c> posts the records it is given.
/// Retry delays are shortened (1 s, then 2 s) so that each scenario takes seconds.
/// </summary>
[Collection(LocalClusterCollection.Name)]
[Trait(TestTiers.Category, TestTiers.EndToEnd)]
public sealed class AsyncInvokeTests(LocalCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private const string KeyId = "AKIALAMINAE2EASYNC01";
    private const string Secret = "e2e/secret/key/for/lamina/async/tests/00";
    private const string NodeImage = "docker.io/lamina/example-node:dev";

    /// <summary>The host's address on the cluster bridge, which pods reach (the witness listens there).</summary>
    private const string BridgeAddress = "10.244.0.1";

    /// <summary>The gateways' event signing key, which the dead-letter command needs as well.</summary>
    private const string EventSigningKey = "end-to-end-async-event-signing-key-0123";

    private FunctionNamespace _namespace = null!;
    private RedisServer _redis = null!;
    private readonly List<GatewayProcess> _gateways = [];
    private readonly List<GatewayProcess> _workers = [];
    private Witness _witness = null!;
    private AwsClients _aws = null!;
    private string[] _gatewayArguments = [];

    public async Task InitializeAsync()
    {
        _namespace = await FunctionNamespace.CreateAsync(cluster, "e2e-async-", concurrency =>
        {
            concurrency.StableWindow = TimeSpan.FromSeconds(6);
            concurrency.PanicWindow = TimeSpan.FromSeconds(2);
        });
        var ns = _namespace.Name;
        await _namespace.Client.CreateAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "caller", NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["lamina.dev/access-key"] = "true" } },
            StringData = new Dictionary<string, string> { ["accessKeyId"] = KeyId, ["secretAccessKey"] = Secret, ["namespaces"] = ns, ["defaultNamespace"] = ns },
        });
        _redis = await RedisServer.StartAsync();
        _witness = Witness.Start(BridgeAddress);
        _gatewayArguments =
        [
            $"--Lamina:Gateway:Auth:AccessKeyNamespace={ns}",
            $"--Lamina:Gateway:Controller:LeaseNamespace={ns}",
            $"--Lamina:Gateway:Async:Redis={_redis.ConnectionString}",
            "--Lamina:Gateway:Async:EventSigningKey=" + EventSigningKey,
            "--Lamina:Gateway:Async:RetryDelays:0=00:00:01",
            "--Lamina:Gateway:Async:RetryDelays:1=00:00:02",
            "--Lamina:Gateway:Async:SystemRetryDelay=00:00:00.500",
            "--Lamina:Gateway:Async:MaxSystemRetryDelay=00:00:02",
            // A killed worker's running events are taken over after 5 s (60 s by default).
            "--Lamina:Gateway:Async:ClaimThreshold=00:00:05",
            "--Lamina:Gateway:Async:RefreshInterval=00:00:01",
        ];
        _gateways.Add(await GatewayProcess.StartAsync(cluster.Layout.ClusterKubeconfig, _gatewayArguments));
        _gateways.Add(await GatewayProcess.StartAsync(cluster.Layout.ClusterKubeconfig, _gatewayArguments));
        _workers.Add(await GatewayProcess.StartWorkerAsync(cluster.Layout.ClusterKubeconfig, _gatewayArguments));
        _workers.Add(await GatewayProcess.StartWorkerAsync(cluster.Layout.ClusterKubeconfig, _gatewayArguments));
        _aws = new AwsClients(_gateways[0].Endpoint, KeyId, Secret);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _gateways.Concat(_workers))
        {
            await process.DisposeAsync();
        }

        _witness?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        await _namespace.DisposeAsync();
    }

    [Fact]
    public async Task InvokeEvent_Function_Accepted202AndRunsWithTheCallersRequestId()
    {
        await CreateAsync("runs");

        var result = await _aws.Boto3InvokeAsync("runs", Payload(), invocationType: "Event");

        Assert.Equal(202, result.StatusCode);
        Assert.Empty(result.Payload ?? []);
        var id = result.RequestId ?? throw new InvalidOperationException("no request id");
        await Eventually.HoldsAsync(() => _witness.StartsByRequest.ContainsKey(id), TimeSpan.FromSeconds(90), "the event runs");
        Assert.Equal(1, _witness.StartsByRequest[id]);
    }

    [Fact]
    public async Task InvokeEvent_UnknownFunctionOrOver256KB_404And413()
    {
        await CreateAsync("sized");

        var unknown = await _aws.Boto3InvokeAsync("no-such-function", "{}"u8.ToArray(), invocationType: "Event");
        var large = await _aws.Boto3InvokeAsync("sized", Encoding.UTF8.GetBytes($$"""{"x":"{{new string('x', 300_000)}}"}"""), invocationType: "Event");

        Assert.Equal((404, "ResourceNotFoundException"), (unknown.HttpStatus, unknown.ErrorCode));
        Assert.Equal((413, "RequestEntityTooLargeException"), (large.HttpStatus, large.ErrorCode));
        Assert.Contains("262144", large.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeEvent_AlwaysFails_TriedThreeTimesWithOneRequestIdThenRetriesExhaustedAtTheDestination()
    {
        await CreateAsync("catcher", eventsTo: true);
        await CreateAsync("failing", new FunctionAsync { MaximumRetryAttempts = 2, OnFailure = new FunctionDestination { Function = "catcher" } });

        var result = await _aws.Boto3InvokeAsync("failing", Payload(fail: "always"), invocationType: "Event");

        Assert.Equal(202, result.StatusCode);
        var id = result.RequestId!;
        var record = await RecordForAsync(id, TimeSpan.FromSeconds(120));
        Assert.Equal(3, _witness.StartsByRequest[id]);
        Assert.Equal("1.0", record.GetProperty("version").GetString());
        var context = record.GetProperty("requestContext");
        Assert.Equal("RetriesExhausted", context.GetProperty("condition").GetString());
        Assert.Equal(3, context.GetProperty("approximateInvokeCount").GetInt32());
        Assert.EndsWith($":function:{_namespace.Name}.failing:$LATEST", context.GetProperty("functionArn").GetString(), StringComparison.Ordinal);
        Assert.Equal("always", record.GetProperty("requestPayload").GetProperty("fail").GetString());
        Assert.Equal("Unhandled", record.GetProperty("responseContext").GetProperty("functionError").GetString());
        Assert.Equal("ConformanceError", record.GetProperty("responsePayload").GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task InvokeEvent_Succeeds_SuccessRecordWithTheResponseAtTheDestination()
    {
        await CreateAsync("catcher", eventsTo: true);
        await CreateAsync("fine", new FunctionAsync { OnSuccess = new FunctionDestination { Function = "catcher" } });

        var result = await _aws.Boto3InvokeAsync("fine", Payload(), invocationType: "Event");

        var record = await RecordForAsync(result.RequestId!, TimeSpan.FromSeconds(90));
        Assert.Equal("Success", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(1, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(200, record.GetProperty("responseContext").GetProperty("statusCode").GetInt32());
        Assert.Equal(_witness.Url.ToString(), record.GetProperty("responsePayload").GetProperty("witness").GetString());
    }

    [Fact]
    public async Task InvokeEvent_ThrottledUntilTooOld_EventAgeExceededAtTheDestination()
    {
        await CreateAsync("catcher", eventsTo: true);
        // Reserved 0 throttles every attempt; the youngest age a Function may set is 60 s.
        await CreateAsync("throttled", new FunctionAsync { MaximumEventAgeSeconds = 60, OnFailure = new FunctionDestination { Function = "catcher" } }, reserved: 0);

        var clock = Stopwatch.StartNew();
        var result = await _aws.Boto3InvokeAsync("throttled", Payload(), invocationType: "Event");

        Assert.Equal(202, result.StatusCode);
        var record = await RecordForAsync(result.RequestId!, TimeSpan.FromSeconds(150));
        output.WriteLine($"EventAgeExceeded after {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(55), $"aged out after only {clock.Elapsed.TotalSeconds:F0} s");
        Assert.Equal("EventAgeExceeded", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.False(_witness.StartsByRequest.ContainsKey(result.RequestId!));
    }

    [Fact]
    public async Task InvokeEvent_FailsWithoutDestination_DeadLetteredListedAndRedriven()
    {
        await CreateAsync("dropped", new FunctionAsync { MaximumRetryAttempts = 0 });
        var result = await _aws.Boto3InvokeAsync("dropped", Payload(fail: "dead letter"), invocationType: "Event");
        var id = result.RequestId!;
        var function = $"{_namespace.Name}/dropped";

        var listed = "";
        await Eventually.HoldsAsync(() => listed.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(90), "the dropped event is in the dead-letter stream",
            async () => listed = await DeadLetterAsync("list", function));
        output.WriteLine(listed);
        Assert.Equal(1, _witness.StartsByRequest[id]);

        var redriven = await DeadLetterAsync("redrive", function, "--all");
        output.WriteLine(redriven);

        // Run again with the same request id, and (failing again, no retries) dead-lettered again.
        await Eventually.HoldsAsync(() => _witness.StartsByRequest[id] == 2, TimeSpan.FromSeconds(90), "the redriven event runs again");
        await Eventually.HoldsAsync(() => listed.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the redriven event is dead-lettered again",
            async () => listed = await DeadLetterAsync("list", function));
    }

    [Fact]
    public async Task InvokeEvent_ThousandEventsWhileGatewaysAndWorkersAreKilledAndRedisRestarts_NoneLost()
    {
        await CreateAsync("steady", scaling: new FunctionScaling { IdleSeconds = 600 });
        var payloads = Enumerable.Range(0, 1000).Select(i => Payload(unique: i)).ToList();

        var sending = _aws.Boto3EventsAsync(_gateways.Select(g => g.Endpoint).ToList(), "steady", payloads, threads: 4);
        // Faults while the events arrive and run: a gateway and a worker killed (SIGKILL: the worker's
        // running events stay pending in the stream) and started again, three times; Redis killed and
        // restarted once.
        for (var round = 0; round < 3; round++)
        {
            await Eventually.HoldsAsync(() => _witness.StartsByRequest.Count > 100 * (round + 1) || sending.IsCompleted, TimeSpan.FromSeconds(120), "events run");
            foreach (var (processes, worker) in new[] { (_gateways, false), (_workers, true) })
            {
                var victim = processes[1];
                victim.Process.Signal("KILL");
                await victim.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
                await victim.DisposeAsync();
                processes[1] = worker
                    ? await GatewayProcess.StartWorkerAsync(cluster.Layout.ClusterKubeconfig, _gatewayArguments)
                    : await GatewayProcess.StartAsync(cluster.Layout.ClusterKubeconfig, _gatewayArguments);
            }

            if (round == 1)
            {
                await _redis.KillAsync();
                await _redis.RestartAsync();
            }
        }

        var calls = await sending;
        var accepted = calls.Where(c => c.HttpStatus == 202).Select(c => c.RequestId!).ToList();
        output.WriteLine($"sent 1000 events: {accepted.Count} accepted (202), {calls.Count(c => c.Attempts > 1)} needed more than one try; answers not 202: {string.Join(", ", calls.Where(c => c.HttpStatus != 202).Select(c => $"{c.HttpStatus} {c.ErrorCode}").Distinct())}");
        Assert.Equal(1000, accepted.Count);

        await Eventually.HoldsAsync(() => accepted.All(_witness.StartsByRequest.ContainsKey), TimeSpan.FromMinutes(4),
            "every accepted event ran at least once");
        var duplicates = accepted.Sum(id => _witness.StartsByRequest[id] - 1);
        output.WriteLine($"all {accepted.Count} accepted events ran; {duplicates} ran more than once (at-least-once: redelivered after a worker was killed mid-invocation)");
    }

    /// <summary>The conformance function's event: tell the witness, then fail with <paramref name="fail"/> when given; <paramref name="unique"/> tells events apart.</summary>
    private byte[] Payload(string? fail = null, int? unique = null)
    {
        var keys = new Dictionary<string, object> { ["witness"] = _witness.Url.ToString() };
        if (fail is not null)
        {
            keys["fail"] = fail;
        }

        if (unique is not null)
        {
            keys["unique"] = unique;
        }

        return JsonSerializer.SerializeToUtf8Bytes(keys);
    }

    private async Task CreateAsync(string name, FunctionAsync? async = null, int? reserved = null, bool eventsTo = false, FunctionScaling? scaling = null)
    {
        await _namespace.Client.CreateAsync(new Function
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = _namespace.Name },
            Spec = new FunctionSpec
            {
                Image = NodeImage,
                Handler = "index.handler",
                TimeoutSeconds = 10,
                Async = async,
                Concurrency = reserved is null ? null : new FunctionConcurrency { Reserved = reserved },
                Scaling = scaling ?? new FunctionScaling { IdleSeconds = 60 },
                Env = eventsTo ? [new V1EnvVar { Name = "CONFORMANCE_EVENTS_TO", Value = _witness.Url.ToString() }] : null,
            },
        });
        await Eventually.HoldsAsync(async () =>
        {
            var function = await _namespace.Client.GetAsync<Function>(_namespace.Name, name);
            return function.Status?.ObservedGeneration == function.Metadata.Generation;
        }, TimeSpan.FromSeconds(60), $"the operator reconciles {name}");
    }

    /// <summary>The destination record about request <paramref name="requestId"/> the catcher function was given.</summary>
    private async Task<JsonElement> RecordForAsync(string requestId, TimeSpan timeout)
    {
        JsonElement? found = null;
        await Eventually.HoldsAsync(() =>
        {
            foreach (var text in _witness.Events)
            {
                var record = JsonDocument.Parse(text).RootElement;
                if (record.TryGetProperty("requestContext", out var context) && context.GetProperty("requestId").GetString() == requestId)
                {
                    found = record;
                    return true;
                }
            }

            return false;
        }, timeout, $"the destination receives the record of {requestId}");
        return found!.Value;
    }

    private async Task<string> DeadLetterAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(GatewayProcess.BinaryPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("dead-letter");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--redis");
        start.ArgumentList.Add(_redis.ConnectionString);
        // Redrive signs what it writes again, with the gateways' key (in a gateway pod, from its environment).
        start.Environment[Lamina.Gateway.Async.DeadLetterCommand.SigningKeyVariable] = EventSigningKey;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode is 0 or 1, $"dead-letter {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
