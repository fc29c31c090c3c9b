using System.Diagnostics;
using System.Text;
using k8s.Models;
using Lamina.Bench.Cluster;
using Lamina.Bench.Reporting;
using Lamina.Operator.Api;
using Lamina.Testing;

namespace Lamina.Bench.Scenarios;

/// <summary>
/// <c>provisioned</c>: a function with provisioned concurrency P (the size; 4, smoke 1) whose handler
/// sleeps 100 ms, its P environments ready before any traffic, then P closed-loop clients (half through
/// each gateway) for D seconds (30, smoke 5): never more than P executions at once. Each invocation asks
/// for the log tail (<c>X-Amz-Log-Type: Tail</c>); a REPORT line with <c>Init Duration</c> is a cold start,
/// as in Lambda (the shim's <c>Lamina-Cold-Start</c> header stops at the gateway). Target: 0 cold starts.
/// Also counted: on-demand environments started (spillover beyond the provisioned ones).
/// </summary>
internal sealed class ProvisionedScenario : IScenario
{
    private const string Function = "provisioned";

    /// <summary>The conformance function sleeps this long: 100 ms, so P clients offer about P × 10 invocations a second.</summary>
    private const string Payload = """{"sleepMs":100}""";

    /// <summary>A key of the scenario's own (the scope's signer is private): signs the Tail requests.</summary>
    private const string KeyId = "AKIALAMINABENCHPROVC";

    public string Name => "provisioned";

    public string Summary => "provisioned concurrency P, P closed-loop clients of a 100 ms handler for D s: cold starts seen in the log tail (target 0), on-demand spillover, latency, desired vs ready";

    public bool NeedsCluster => true;

    public async Task RunAsync(ScenarioRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var provisioned = run.SizeOr(4, 1);
        var duration = TimeSpan.FromSeconds(run.Smoke ? 5 : 30);
        var report = run.Report;
        report.Say($"== provisioned: provisioned concurrency {provisioned}, {provisioned} closed-loop clients of a 100 ms handler through two gateways for {duration.TotalSeconds:F0} s ==");

        await using var scope = await ClusterScope.StartAsync("bench-pc-");
        var signer = await AddKeyAsync(scope);
        await scope.Namespace.Client.CreateAsync(new Function
        {
            Metadata = new V1ObjectMeta { Name = Function, NamespaceProperty = scope.Name },
            Spec = new FunctionSpec
            {
                Image = "docker.io/lamina/example-provided:dev",
                TimeoutSeconds = 30,
                Concurrency = new FunctionConcurrency { Provisioned = provisioned },
                Scaling = new FunctionScaling { IdleSeconds = 2 },
            },
        });
        var readying = Stopwatch.StartNew();
        await Eventually.HoldsAsync(async () =>
        {
            // The controller's view, and the Deployment rolled out: in one run the first pod was replaced
            // (its template changed) while the status already counted it, and it answered 401 meanwhile.
            var function = await scope.Namespace.Client.GetAsync<Function>(scope.Name, Function);
            if (!(function.Status?.ProvisionedReady >= provisioned))
            {
                return false;
            }

            var deployment = await scope.Namespace.Client.GetAsync<V1Deployment>(scope.Name, $"{Function}-pc");
            return deployment.Status?.ObservedGeneration == deployment.Metadata.Generation
                && deployment.Status?.UpdatedReplicas == provisioned
                && deployment.Status?.ReadyReplicas == provisioned
                && deployment.Status?.Replicas == provisioned;
        }, TimeSpan.FromMinutes(5), $"{provisioned} provisioned environments are ready");
        report.Say($"provisioned: {provisioned} provisioned environments ready {readying.Elapsed.TotalSeconds:F1} s after the Function was created");

        // Closed loop: the "offered" rate of the timeline is the rate answered since the previous sample.
        var completed = 0;
        var (lastAt, lastCompleted) = (TimeSpan.Zero, 0);
        var timeline = ClusterTimeline.Start(scope.Namespace.Client, scope.Name, Function, at =>
        {
            var now = Volatile.Read(ref completed);
            var rate = at > lastAt ? (now - lastCompleted) / (at - lastAt).TotalSeconds : 0;
            (lastAt, lastCompleted) = (at, now);
            return Math.Round(rate, 1);
        });
        var clock = Stopwatch.StartNew();
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var clients = await Task.WhenAll(Enumerable.Range(0, provisioned).Select(client => Task.Run(async () =>
        {
            var outcome = new ClientOutcome();
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var (status, cold, elapsed, body) = await InvokeWithTailAsync(scope, signer, client % 2);
                Interlocked.Increment(ref completed);
                if (status == 200 && !body.Contains("errorType", StringComparison.Ordinal))
                {
                    outcome.Latencies.Add(elapsed.TotalMilliseconds);
                    outcome.ColdStarts += cold ? 1 : 0;
                }
                else
                {
                    outcome.Errors.Add($"{status} {body}");
                }
            }

            return outcome;
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        await timeline.DisposeAsync();
        report.Timeline.AddRange(timeline.Points);

        var latencies = clients.SelectMany(c => c.Latencies).ToList();
        var errors = clients.SelectMany(c => c.Errors).ToList();
        var coldStarts = clients.Sum(c => c.ColdStarts);
        var spillover = timeline.OnDemandPods.Count;
        var summary = LatencySummary.Of(latencies);
        report.Series.Add(new SeriesResult($"provisioned={provisioned} clients={provisioned} handler=100ms", "lamina", summary, latencies.Count / seconds,
            latencies.Count, errors.Count, null, null, 1, null, LatencySummary.Thin(latencies)));
        report.Targets.Add(new TargetResult("0 cold starts within provisioned concurrency", coldStarts, coldStarts == 0));
        report.Say($"provisioned: {latencies.Count + errors.Count} invocations in {seconds:F1} s ({latencies.Count / seconds:F1}/s ran, at most {provisioned / 0.1:F0}/s with a 100 ms handler): {latencies.Count} answered 200, {errors.Count} errors{(errors.Count > 0 ? $" (first: {Cut(errors[0])})" : "")}");
        report.Say($"provisioned: latency p50 {summary.P50:F1} ms, p95 {summary.P95:F1} ms, p99 {summary.P99:F1} ms, max {summary.Max:F1} ms (the handler sleeps 100 ms)");
        report.Say($"provisioned: cold starts seen (Init Duration in the REPORT line): {coldStarts} (target 0: {(coldStarts == 0 ? "met" : "NOT met")}); on-demand environments started (spillover beyond {provisioned} provisioned): {spillover}; desired environments peaked at {timeline.Points.Select(p => p.Desired).DefaultIfEmpty().Max()}");
    }

    /// <summary>Adds an access key of the scenario's own and waits until both gateways know it (an unknown function answers 404, not 403).</summary>
    private static async Task<InvokeSigner> AddKeyAsync(ClusterScope scope)
    {
        var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(30));
        await scope.Namespace.Client.CreateAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "bench-tail-key", NamespaceProperty = scope.Name, Labels = new Dictionary<string, string> { ["lamina.dev/access-key"] = "true" } },
            StringData = new Dictionary<string, string> { ["accessKeyId"] = KeyId, ["secretAccessKey"] = secret, ["namespaces"] = scope.Name, ["defaultNamespace"] = scope.Name },
        });
        var signer = new InvokeSigner(KeyId, secret);
        for (var gateway = 0; gateway < scope.Gateways.Count; gateway++)
        {
            var uri = new Uri(scope.Gateways[gateway].Endpoint, $"/2015-03-31/functions/{scope.Name}.no-such-function/invocations");
            await Eventually.HoldsAsync(async () =>
            {
                using var request = signer.Post(uri, "{}");
                using var response = await scope.Http.SendAsync(request);
                return (int)response.StatusCode == 404;
            }, TimeSpan.FromSeconds(60), $"gateway {gateway} knows the scenario's access key");
        }

        return signer;
    }

    /// <summary>One invocation asking for the log tail: its status, whether the REPORT line holds an Init Duration (a cold start), its time and body.</summary>
    private static async Task<(int Status, bool Cold, TimeSpan Elapsed, string Body)> InvokeWithTailAsync(ClusterScope scope, InvokeSigner signer, int gateway)
    {
        var uri = new Uri(scope.Gateways[gateway].Endpoint, $"/2015-03-31/functions/{scope.Name}.{Function}/invocations");
        using var request = signer.Post(uri, Payload);
        request.Headers.TryAddWithoutValidation("X-Amz-Log-Type", "Tail");
        var started = Stopwatch.GetTimestamp();
        using var response = await scope.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cold = response.Headers.TryGetValues("X-Amz-Log-Result", out var values)
            && Encoding.UTF8.GetString(Convert.FromBase64String(values.First())).Contains("Init Duration", StringComparison.Ordinal);
        return ((int)response.StatusCode, cold, elapsed, body);
    }

    private static string Cut(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private sealed class ClientOutcome
    {
        public List<double> Latencies { get; } = [];

        public List<string> Errors { get; } = [];

        public int ColdStarts { get; set; }
    }
}
