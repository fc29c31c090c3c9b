using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lamina.Bench.Cluster;
using Lamina.Bench.Reporting;
using Lamina.Testing;

namespace Lamina.Bench.Chaos;

/// <summary>
/// <c>chaos</c> (issue 19, "Prove it"): against the chart-installed Lamina of <c>make up</c> (release
/// <c>lamina</c> in <c>lamina-system</c>), a steady open-loop load (<see cref="ChaosLoad"/>) runs while,
/// one at a time, a rolling upgrade changes every Lamina image, the operator's leader is SIGKILLed, a
/// gateway is SIGKILLed, the Redis pod is deleted, a function pod is force-deleted and the token
/// Secret is emptied; each with the same figures (<see cref="PhaseFigures"/>). Then the abuse: slow
/// unauthenticated connections and slow unsigned 6 MB bodies against one gateway, its memory against
/// its limit and the p99 of signed invocations to it before and during.
/// </summary>
internal sealed class ChaosScenario : IScenario
{
    /// <summary>The capped function's reserved concurrency.</summary>
    private const int Reserved = 2;

    /// <summary>The steady function's provisioned environments: warm, and the ones a force-delete hits.</summary>
    private const int SteadyProvisioned = 2;

    private const string BashImage = "docker.io/lamina/example-provided:dev";

    /// <summary>The abuse's numbers, as the issue gives them.</summary>
    private const int SlowConnections = 500;

    private const int BodyConnections = 100;

    /// <summary>
    /// The load: 8 sync invocations/s of the steady function, 2/s of the capped one (each 200 ms of
    /// sleep and two witness calls, about 0.3 s on this machine: under one execution inside on average
    /// against its cap of 2, so throttles are the faults', not the load's), 4 events/s. Small enough
    /// for 2 shared cores, big enough that every fault lands on requests in flight.
    /// </summary>
    private static readonly ChaosRates Rates = new(8, 2, 4);

    /// <summary>Signed invocations sent straight to the attacked gateway during the abuse.</summary>
    private static readonly ChaosRates AbuseRates = new(10, 0, 0);

    /// <summary>How long the abuse lasts: a 6 MB body at 160 KB/s takes about 40 s.</summary>
    private static readonly TimeSpan AbuseDuration = TimeSpan.FromSeconds(45);

    private ChaosRelease _release = null!;
    private InvokeSigner _signer = null!;
    private string _functions = "";
    private TimeSpan _steadyFor;
    private ScenarioReport _report = null!;
    private readonly Dictionary<string, double> _facts = [];

    public string Name => "chaos";

    public string Summary => "on the local cluster, make up's chart-installed Lamina: an open-loop load (sync of two functions, one reserved; events) through a rolling upgrade of every image, the operator leader SIGKILLed, a gateway SIGKILLed, the Redis pod deleted, a function pod force-deleted, the token Secret emptied: failed sync, lost events, cap violations, duplicates each; then 500 slow and 100 slow-6-MB unsigned connections against one gateway: its memory and signed p99";

    public bool NeedsCluster => true;

    public async Task RunAsync(ScenarioRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _report = run.Report;
        // Size: seconds of steady load before each fault, and after it is whole again.
        _steadyFor = TimeSpan.FromSeconds(run.SizeOr(15, 4));
        var cluster = new LocalCluster();
        _release = await ChaosRelease.FindAsync(cluster, _report.Say);
        _signer = new InvokeSigner(_release.KeyId, _release.KeySecret);
        var stamp = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        var ownNamespace = _release.WatchNamespace is null;
        _functions = _release.WatchNamespace ?? $"bench-chaos-{stamp}";
        try
        {
            if (ownNamespace)
            {
                await _release.KubectlAnywhereAsync("create", "namespace", _functions);
            }

            await CreateFunctionsAsync(run.Smoke);
            _report.Say($"chaos: release {ChaosRelease.ReleaseName} in {ChaosRelease.ReleaseNamespace} ({_release.OperatorReplicas} operator replicas, gateway {_release.Gateway}); functions in {_functions}: steady (bash, provisioned {SteadyProvisioned}), capped (bash, reserved {Reserved}, {ChaosLoad.CappedSleepMs} ms each){(run.Smoke ? "" : ", probe (provisioned 1, invoked only after the leader's death)")}; load {Rates.SteadyPerSecond}/s sync steady, {Rates.CappedPerSecond}/s sync capped, {Rates.EventsPerSecond}/s Event (steady) through the gateway Service; {_steadyFor.TotalSeconds:F0} s of load before each fault and after it is whole again; a sync caller tries {ChaosLoad.SyncTries} times (no answer, 5xx, 429), an Event caller until a 202 or 30 s");
            _report.Say($"chaos: Redis keeps its data in {await RedisStorageAsync()}");

            ChaosPhase[] phases =
            [
                new("rolling upgrade", false, UpgradeAsync),
                new("operator leader SIGKILL", false, KillLeaderAsync),
                new("gateway SIGKILL", true, KillGatewayAsync),
                new("Redis pod deleted", false, DeleteRedisAsync),
                new("function pod force-deleted", true, ForceDeleteFunctionPodAsync),
                new("token Secret emptied", false, EmptyTokenSecretAsync),
            ];
            foreach (var phase in phases.Where(p => p.InSmoke || !run.Smoke))
            {
                await RunPhaseAsync(phase, run.Smoke);
            }

            if (run.Smoke)
            {
                _report.Say("chaos: smoke: only the gateway SIGKILL and the function pod force-delete ran (the upgrade, the leader, Redis, the Secret and the abuse take minutes)");
            }
            else
            {
                await AbuseAsync();
            }

            foreach (var (name, value) in _facts)
            {
                _report.Ratios.Add(new RatioResult(name, value));
            }
        }
        finally
        {
            if (ownNamespace)
            {
                await _release.KubectlAnywhereAsync("delete", "namespace", _functions, "--wait=false", "--ignore-not-found");
            }
            else
            {
                await _release.KubectlAnywhereAsync("delete", "fn", "steady", "capped", "probe", "-n", _functions, "--ignore-not-found");
            }

            await _release.RestoreAsync();
        }
    }

    private async Task CreateFunctionsAsync(bool smoke)
    {
        string Function(string name, string concurrency) => $"""
            apiVersion: lamina.dev/v1alpha1
            kind: Function
            metadata:
              name: {name}
              namespace: {_functions}
            spec:
              image: {BashImage}
              handler: function.handler
              timeoutSeconds: 30
              concurrency: {concurrency}
              scaling:
                idleSeconds: 600
            ---

            """;
        var manifest = Function("steady", $"{{ provisioned: {SteadyProvisioned} }}") + Function("capped", $"{{ reserved: {Reserved} }}") + (smoke ? "" : Function("probe", "{ provisioned: 1 }"));
        await _release.Cluster.Kubectl.RunAsync(manifest, "apply", "-f", "-");
        string[] names = smoke ? ["fn/steady", "fn/capped"] : ["fn/steady", "fn/capped", "fn/probe"];
        await _release.KubectlAnywhereAsync(["wait", "--for=condition=Ready", .. names, "-n", _functions, "--timeout=300s"]);

        // Warm: the capped function's environments started, the steady one's answering through both gateways.
        await using var warm = ChaosLoad.Start(_release.Gateway, _signer, _functions, new ChaosRates(4, 4, 0));
        await Eventually.HoldsAsync(() => warm.SyncCalls.Count(c => c.Ok && c.Function == "capped") >= 8 && warm.SyncCalls.Count(c => c.Ok && c.Function == "steady") >= 8, TimeSpan.FromMinutes(3), "the functions answer");
        await warm.StopAsync();
    }

    private async Task RunPhaseAsync(ChaosPhase phase, bool smoke)
    {
        await SettleAsync();
        var clock = Stopwatch.StartNew();
        await using var load = ChaosLoad.Start(_release.Gateway, _signer, _functions, Rates);
        await Task.Delay(_steadyFor);
        var faultAt = load.Now;
        var what = await phase.ApplyAsync(load);
        var wholeAt = load.Now;
        await Task.Delay(_steadyFor);
        await load.StopAsync();
        var figures = await PhaseFigures.OfAsync(load, Reserved, smoke ? TimeSpan.FromSeconds(90) : TimeSpan.FromSeconds(150));
        Record(phase.Name, figures, load.EventCalls);
        _report.Say($"chaos: {phase.Name}: {what}; the fault began {faultAt:F0} s into the load and was whole again {wholeAt - faultAt:F0} s later; the phase took {clock.Elapsed.TotalSeconds:F0} s");
    }

    private void Record(string phase, PhaseFigures figures, IReadOnlyCollection<EventCall> events)
    {
        _report.Series.Add(Series.Of($"{phase}", "lamina sync 200 (intended send -> answer, tries included)", figures.SyncOkMs, errors: figures.FailedSync));
        _report.Series.Add(Series.Of($"{phase}", "lamina Event 202 (intended send -> 202, tries included)", figures.EnqueueMs, errors: figures.EventsNotAccepted));
        _report.Targets.Add(new TargetResult($"{phase}: 0 failed sync invocations", figures.FailedSync, figures.FailedSync == 0));
        _report.Targets.Add(new TargetResult($"{phase}: 0 lost events", figures.LostEvents, figures.LostEvents == 0));
        _report.Targets.Add(new TargetResult($"{phase}: 0 cap violations", figures.CapViolations, figures.CapViolations == 0));
        _facts[$"{phase}: duplicates"] = figures.Duplicates;
        _facts[$"{phase}: events never answered 202"] = figures.EventsNotAccepted;
        _report.Say(figures.Describe(phase, events));
    }

    /// <summary>Between faults: every pod of the release ready and every function ready, so one fault's recovery is not the next one's figure.</summary>
    private async Task SettleAsync()
    {
        await _release.WaitForReleasePodsAsync(TimeSpan.FromMinutes(4));
        await _release.KubectlAnywhereAsync("wait", "--for=condition=Ready", "fn", "--all", "-n", _functions, "--timeout=240s");
        await Eventually.HoldsAsync(
            async () => (await _release.PodsAsync(_functions, "lamina.dev/function=steady")).Count(p => p.Ready && !p.Terminating) >= SteadyProvisioned,
            TimeSpan.FromMinutes(4),
            $"{SteadyProvisioned} steady environments ready");
    }

    // ------------------------------------------------------------------ the faults

    /// <summary>
    /// (a) helm upgrade to images of a new tag: the images as they are, tagged anew in the node's
    /// containerd (the same bytes under another reference, which rolls every pod as a release with new
    /// images does). Operator, gateway and shim change (so every function pod rolls too); Redis is
    /// pinned to the image it runs, and untouched.
    /// </summary>
    private async Task<string> UpgradeAsync(ChaosLoad load)
    {
        var values = await _release.ValuesAsync(all: true);
        var repository = values["image"]?["repository"]?.GetValue<string>() ?? "docker.io/lamina";
        var tag = values["image"]?["tag"]?.GetValue<string>() is { Length: > 0 } t ? t : "dev";
        var newTag = $"chaos-{DateTime.UtcNow:HHmmss}";
        foreach (var image in new[] { "operator", "gateway", "runtime-shim" })
        {
            await _release.TagImageAsync($"{repository}/{image}:{tag}", $"{repository}/{image}:{newTag}");
        }

        var redisImage = await _release.ImageOfAsync("redis");
        var redisBefore = (await _release.PodsAsync("redis")).Single().Uid;
        var split = redisImage.LastIndexOf(':');
        var started = load.Now;
        await _release.UpgradeAsync(
        [
            "--set", $"image.tag={newTag}",
            "--set", $"redis.image.repository={redisImage[..split]}", "--set", $"redis.image.tag={redisImage[(split + 1)..]}",
        ]);
        var upgraded = load.Now - started;
        await _release.WaitForReleasePodsAsync(TimeSpan.FromMinutes(4));
        var redisAfter = (await _release.PodsAsync("redis")).Single().Uid;
        var operatorImage = await _release.ImageOfAsync("operator");
        _facts["rolling upgrade: helm upgrade --wait seconds"] = upgraded;
        return $"helm upgrade image.tag {tag} -> {newTag} (operator, gateway, runtime shim; every function pod rolls with the shim) took {upgraded:F0} s; operator now {operatorImage}; Redis {(redisBefore == redisAfter ? "untouched (same pod, its image pinned)" : "RESTARTED")}";
    }

    /// <summary>
    /// (b) The operator replica holding the Lease SIGKILLed (no SIGTERM: it cannot release the Lease, so
    /// the standby waits for it to expire). Measured from the kill: the Lease held by the other replica,
    /// and the first invocation of the probe function (never invoked before, so it needs a new lease
    /// from the new leader) answered.
    /// </summary>
    private async Task<string> KillLeaderAsync(ChaosLoad load)
    {
        var leader = await _release.LeaderPodAsync() ?? throw new InvalidOperationException("no operator holds the Lease");
        var operators = await _release.PodsAsync("operator");
        if (operators.Count(p => p.Ready) < 2)
        {
            throw new InvalidOperationException($"the leader's death is only survivable with a standby: {operators.Count(p => p.Ready)} operator replicas are ready (operator.replicas)");
        }

        var victim = operators.Single(p => p.Name == leader);
        var killed = Stopwatch.StartNew();
        await _release.KillAsync(victim);

        var firstLease = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopProbing = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var probes = new List<Task>();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(70) };
        var probing = Task.Run(async () =>
        {
            // One probe a second, each waiting as long as the gateway queues it: the first 200 is the first lease the new leader granted.
            while (!stopProbing.IsCancellationRequested && !firstLease.Task.IsCompleted)
            {
                probes.Add(Task.Run(async () =>
                {
                    try
                    {
                        using var request = _signer.Post(new Uri(_release.Gateway, $"/2015-03-31/functions/{_functions}.probe/invocations"), "{}");
                        using var response = await http.SendAsync(request, stopProbing.Token);
                        if ((int)response.StatusCode == 200 && !response.Headers.Contains("X-Amz-Function-Error"))
                        {
                            firstLease.TrySetResult(killed.Elapsed.TotalSeconds);
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                    }
                }));
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stopProbing.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        double? takeover = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                var holder = await _release.LeaderPodAsync();
                if (holder is not null && holder != leader)
                {
                    takeover ??= killed.Elapsed.TotalSeconds;
                }

                return takeover is not null;
            },
            TimeSpan.FromMinutes(2),
            "the standby holds the Lease");
        var lease = await Task.WhenAny(firstLease.Task, Task.Delay(TimeSpan.FromMinutes(2))) == firstLease.Task ? await firstLease.Task : (double?)null;
        await stopProbing.CancelAsync();
        await probing;
        await Task.WhenAll(probes);
        await _release.ScaleOperatorAsync(_release.OperatorReplicas);
        _facts["operator leader SIGKILL: seconds to the standby holding the Lease"] = takeover!.Value;
        _facts["operator leader SIGKILL: seconds to the first new lease (probe answered)"] = lease ?? double.NaN;
        return $"SIGKILLed the leader {leader}; the standby held the Lease {takeover:F1} s later; the first invocation needing a new lease (the probe function, never invoked before) was answered {(lease is { } l ? $"{l:F1} s" : "NOT within 2 min")} after the kill";
    }

    /// <summary>(c) One gateway's process SIGKILLed; the kubelet restarts its container.</summary>
    private async Task<string> KillGatewayAsync(ChaosLoad load)
    {
        var victim = (await _release.PodsAsync("gateway")).First(p => p.Ready);
        var clock = Stopwatch.StartNew();
        await _release.KillAsync(victim);
        await Eventually.HoldsAsync(
            async () => (await _release.PodsAsync("gateway")).Any(p => p.Name == victim.Name && p.Restarts > victim.Restarts && p.Ready),
            TimeSpan.FromMinutes(2),
            $"{victim.Name} restarted and ready");
        return $"SIGKILLed gateway {victim.Name}; restarted and ready again {clock.Elapsed.TotalSeconds:F1} s later";
    }

    /// <summary>(d) The Redis pod deleted (not only its process killed): the StatefulSet makes a new one.</summary>
    private async Task<string> DeleteRedisAsync(ChaosLoad load)
    {
        var before = (await _release.PodsAsync("redis")).Single();
        var clock = Stopwatch.StartNew();
        await _release.KubectlAsync("delete", "pod", before.Name, "--wait=true", "--timeout=120s");
        await Eventually.HoldsAsync(
            async () => (await _release.PodsAsync("redis")).Any(p => p.Uid != before.Uid && p.Ready),
            TimeSpan.FromMinutes(3),
            "a new Redis pod ready");
        var back = clock.Elapsed.TotalSeconds;
        await _release.WaitForReleasePodsAsync(TimeSpan.FromMinutes(2));
        return $"deleted pod {before.Name}; a new one ready {back:F1} s later, every gateway ready again {clock.Elapsed.TotalSeconds:F1} s after the deletion";
    }

    /// <summary>(e) A steady environment's pod force-deleted (grace period 0), as a node's loss looks to the API.</summary>
    private async Task<string> ForceDeleteFunctionPodAsync(ChaosLoad load)
    {
        var victim = (await _release.PodsAsync(_functions, "lamina.dev/function=steady")).First(p => p.Ready && !p.Terminating);
        var clock = Stopwatch.StartNew();
        await _release.KubectlAnywhereAsync("delete", "pod", victim.Name, "-n", _functions, "--grace-period=0", "--force");
        await Eventually.HoldsAsync(
            async () => (await _release.PodsAsync(_functions, "lamina.dev/function=steady")).Count(p => p.Ready && !p.Terminating && p.Name != victim.Name) >= SteadyProvisioned,
            TimeSpan.FromMinutes(3),
            $"{SteadyProvisioned} steady environments ready again");
        return $"force-deleted {victim.Name}; {SteadyProvisioned} steady environments ready again {clock.Elapsed.TotalSeconds:F1} s later";
    }

    /// <summary>
    /// (f) The token Secret's tokens emptied for a while, then put back. It must fail closed (no
    /// function pod rolls onto a template that accepts every caller) without dropping the traffic of
    /// gateways that hold the old token.
    /// </summary>
    private async Task<string> EmptyTokenSecretAsync(ChaosLoad load)
    {
        var original = await _release.TokenDataAsync();
        var podsBefore = (await _release.PodsAsync(_functions, "lamina.dev/function")).Select(p => p.Uid).ToHashSet();
        await _release.SetTokenDataAsync("""{"tokens":""}""");
        try
        {
            await Task.Delay(_steadyFor * 2);
        }
        finally
        {
            await _release.SetTokenDataAsync(original);
        }

        var podsAfter = (await _release.PodsAsync(_functions, "lamina.dev/function")).Select(p => p.Uid).ToHashSet();
        var replaced = podsBefore.Count(uid => !podsAfter.Contains(uid));
        var events = await _release.KubectlAnywhereAsync("get", "events", "-n", ChaosRelease.ReleaseNamespace, "--field-selector", $"involvedObject.name={ChaosRelease.TokenSecret}", "-o", "jsonpath={.items[*].reason}");
        _facts["token Secret emptied: function pods replaced"] = replaced;
        return $"emptied {ChaosRelease.TokenSecret} for {(_steadyFor * 2).TotalSeconds:F0} s, then put its tokens back; function pods replaced meanwhile: {replaced} of {podsBefore.Count}; events on the Secret: {(events.Trim().Length == 0 ? "none" : events.Trim())}";
    }

    // ------------------------------------------------------------------ the abuse

    /// <summary>(g) Slow unauthenticated connections and slow unsigned 6 MB bodies against one gateway pod; signed invocations to it before and during.</summary>
    private async Task AbuseAsync()
    {
        await SettleAsync();
        var gateway = (await _release.PodsAsync("gateway")).First(p => p.Ready && p.Ip is not null);
        var port = int.Parse(await _release.KubectlAsync("get", "pod", gateway.Name, "-o", "jsonpath={.spec.containers[0].ports[0].containerPort}"), CultureInfo.InvariantCulture);
        var limit = ParseQuantity(await _release.KubectlAsync("get", "pod", gateway.Name, "-o", "jsonpath={.spec.containers[0].resources.limits.memory}"));
        var idle = ChaosRelease.MemoryOf(gateway.Uid);
        var direct = new Uri($"http://{gateway.Ip}:{port}");
        await using var load = ChaosLoad.Start(direct, _signer, _functions, AbuseRates);
        await Task.Delay(_steadyFor);
        var attackFrom = load.Now;
        var abuse = new GatewayAbuse();
        await abuse.RunAsync(gateway.Ip!, port, gateway.Uid, SlowConnections, BodyConnections, AbuseDuration);
        var attackTo = load.Now;
        await Task.Delay(TimeSpan.FromSeconds(5));
        await load.StopAsync();
        var after = (await _release.PodsAsync("gateway")).Single(p => p.Name == gateway.Name);

        var calls = load.SyncCalls.ToList();
        List<double> Ms(IEnumerable<SyncCall> c) => [.. c.Where(x => x.Ok).Select(x => (x.AnsweredAt - x.SentAt) * 1000)];
        var before = Ms(calls.Where(c => c.SentAt < attackFrom));
        var during = Ms(calls.Where(c => c.SentAt >= attackFrom && c.SentAt < attackTo));
        var failedDuring = calls.Count(c => c.SentAt >= attackFrom && c.SentAt < attackTo && !c.Ok);
        var sentDuring = calls.Count(c => c.SentAt >= attackFrom && c.SentAt < attackTo);
        var restarts = after.Restarts - gateway.Restarts;
        const string Case = "abuse: signed sync to the attacked gateway";
        _report.Series.Add(Series.Of(Case, "lamina before the attack", before));
        _report.Series.Add(Series.Of(Case, "lamina during the attack", during, errors: failedDuring));
        var ratio = Percentile.Of(during, 0.99) / Percentile.Of(before, 0.99);
        _report.Ratios.Add(new RatioResult("abuse: signed p99 during / before", ratio));
        _report.Ratios.Add(new RatioResult("abuse: gateway peak memory / limit", limit is null ? double.NaN : (double)abuse.PeakMemory / limit.Value));
        var underLimit = limit is not null && abuse.MemorySamples > 0 && abuse.PeakMemory < limit.Value && restarts == 0;
        _report.Targets.Add(new TargetResult("abuse: the attacked gateway's memory stays under its limit (MB peak)", abuse.PeakMemory / 1048576.0, underLimit));
        _report.Targets.Add(new TargetResult("abuse: signed invocations keep being answered (failed during the attack)", failedDuring, failedDuring == 0));
        _report.Say($"chaos: abuse: against gateway {gateway.Name} ({direct}) for {AbuseDuration.TotalSeconds:F0} s: {SlowConnections} slow unauthenticated connections (a header line every 5 s; {abuse.ConnectedSlow} connected) and {BodyConnections} unsigned requests claiming a {GatewayAbuse.BodyBytes / 1048576} MB body sent at 160 KB/s ({abuse.ConnectedBodies} connected, {abuse.BodyBytesSent / 1048576.0:F0} MB sent in all); connections refused {abuse.Refused}, closed or answered early by the gateway {abuse.ClosedByGateway}");
        _report.Say($"chaos: abuse: the gateway pod's memory (cgroup, {abuse.MemorySamples} samples): idle {Mb(idle)}, peak {Mb(abuse.PeakMemory)} against its limit {Mb(limit)}: {(underLimit ? "under it" : "NOT under it")}; container restarts during the attack {restarts}{(restarts > 0 ? " (OOM-killed)" : "")}");
        _report.Say($"chaos: abuse: signed invocations to that gateway at {AbuseRates.SteadyPerSecond}/s: before p50 {Percentile.Of(before, 0.5):F0} ms, p99 {Percentile.Of(before, 0.99):F0} ms; during p50 {Percentile.Of(during, 0.5):F0} ms, p99 {Percentile.Of(during, 0.99):F0} ms ({ratio:F1}x); failed during {failedDuring} of {sentDuring}");
    }

    private async Task<string> RedisStorageAsync()
    {
        using var set = JsonDocument.Parse(await _release.KubectlAsync("get", "statefulset", $"{ChaosRelease.ReleaseName}-redis", "-o", "json"));
        var spec = set.RootElement.GetProperty("spec");
        if (spec.TryGetProperty("volumeClaimTemplates", out var claims) && claims.GetArrayLength() > 0)
        {
            return "a PersistentVolumeClaim (it survives the pod's deletion)";
        }

        return "an emptyDir (redis.persistence.enabled=false): deleting its pod drops what was stored and not yet run, so the Redis phase's lost events are expected until it has a volume";
    }

    private static string Mb(long? bytes) => bytes is { } b ? $"{b / 1048576.0:F0} MB" : "unknown";

    /// <summary>"512Mi", "1Gi", "500M" in bytes; null when empty.</summary>
    private static long? ParseQuantity(string quantity)
    {
        quantity = quantity.Trim();
        if (quantity.Length == 0)
        {
            return null;
        }

        (string Suffix, long Factor)[] units = [("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("k", 1000), ("M", 1_000_000), ("G", 1_000_000_000)];
        foreach (var (suffix, factor) in units)
        {
            if (quantity.EndsWith(suffix, StringComparison.Ordinal))
            {
                return long.Parse(quantity[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
            }
        }

        return long.Parse(quantity, CultureInfo.InvariantCulture);
    }
}
