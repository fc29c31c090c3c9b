using System.Diagnostics;
using Lamina.Bench.Reporting;
using Lamina.Testing;

namespace Lamina.Bench.Cluster;

/// <summary>
/// <c>throttle</c>: a function with reserved concurrency 2 driven by 4 clients at once (2× oversubscribed),
/// two through each gateway, each sending its next invocation as soon as the last was answered, until
/// <c>N</c> invocations were answered. The Node conformance function tells a witness on the host when
/// each execution starts and ends: a start while 2 others are inside is a violation of the cap (target:
/// 0). Also the latency of throttle answers (429) against that of invocations (200).
/// </summary>
internal sealed class ThrottleBenchmark : IScenario
{
    private const int Reserved = 2;
    private const int Clients = 2 * Reserved;

    /// <summary>The host's address on the cluster bridge, which pods reach.</summary>
    private const string BridgeAddress = "10.244.0.1";

    public string Name => "throttle";

    public string Summary => "on the local cluster: reserved concurrency 2, 4 clients through two gateways (2x oversubscribed) until N answers; cap violations counted by a witness; 429 vs 200 latency";

    public bool NeedsCluster => true;

    public async Task RunAsync(ScenarioRun run)
    {
        var report = run.Report;
        var invocations = run.SizeOr(100_000, 200);
        Console.WriteLine($"== throttle: reserved {Reserved}, {Clients} clients through two gateways, {invocations} invocations ==");
        await using var scope = await ClusterScope.StartAsync("bench-throttle-");
        await scope.CreateFunctionAsync("capped", "docker.io/lamina/example-node:dev", "index.handler", reserved: Reserved, idleSeconds: 600);
        using var witness = Witness.Start(BridgeAddress);
        var payload = $$"""{"witness":"{{witness.Url}}"}""";

        // Warm-up: both environments started (a throttled client tries again at once).
        await DriveAsync(scope, payload, run.Smoke ? 20 : 200);
        var startsBefore = witness.Starts;
        var violationsBefore = witness.StartsAbove(Reserved);

        var clock = Stopwatch.StartNew();
        var (ok, throttled, other) = await DriveAsync(scope, payload, invocations);
        var seconds = clock.Elapsed.TotalSeconds;
        var violations = witness.StartsAbove(Reserved) - violationsBefore;
        var met = violations == 0 && witness.MaximumTotal <= Reserved;
        report.Series.Add(Series.Of($"reserved {Reserved}, {Clients} clients", "lamina 200 (ran)", ok, requestsPerSecond: ok.Count / seconds, errors: other.Count));
        report.Series.Add(Series.Of($"reserved {Reserved}, {Clients} clients", "lamina 429 (throttled)", throttled, requestsPerSecond: throttled.Count / seconds));
        report.Ratios.Add(new RatioResult("429 p99 / 200 p50", Percentile.Of(throttled, 0.99) / Percentile.Of(ok, 0.5)));
        report.Targets.Add(new TargetResult("0 reserved-cap violations", violations, met));
        string[] lines =
        [
            $"throttle: {invocations} invocations in {seconds:F0} s ({invocations / seconds:F0}/s): {ok.Count} ran (200), {throttled.Count} throttled (429), {other.Count} other answers; witness: {witness.Starts - startsBefore} executions started, at most {witness.MaximumTotal} inside at once",
            $"throttle: reserved-cap violations (executions started while {Reserved} were inside): {violations} (target 0: {(met ? "met" : "NOT met")})",
            $"throttle: 429 answers p50 {Percentile.Of(throttled, 0.5):F2} ms, p99 {Percentile.Of(throttled, 0.99):F2} ms; 200 answers p50 {Percentile.Of(ok, 0.5):F2} ms, p99 {Percentile.Of(ok, 0.99):F2} ms; 429 p99 / 200 p50 {Percentile.Of(throttled, 0.99) / Percentile.Of(ok, 0.5):F2}x",
        ];
        foreach (var line in lines)
        {
            report.Say(line);
        }
    }

    /// <summary><see cref="Clients"/> loops until <paramref name="count"/> answers: the latencies of 200s and 429s in milliseconds, and any other answers.</summary>
    private static async Task<(List<double> Ok, List<double> Throttled, List<string> Other)> DriveAsync(ClusterScope scope, string payload, int count)
    {
        var left = count;
        var results = await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            var (ok, throttled, other) = (new List<double>(), new List<double>(), new List<string>());
            while (Interlocked.Decrement(ref left) >= 0)
            {
                var (status, body, elapsed) = await scope.InvokeAsync(client % 2, "capped", payload);
                switch (status)
                {
                    case 200 when !body.Contains("errorType", StringComparison.Ordinal):
                        ok.Add(elapsed.TotalMilliseconds);
                        break;
                    case 429 when body.Contains("ReservedFunctionConcurrentInvocationLimitExceeded", StringComparison.Ordinal):
                        throttled.Add(elapsed.TotalMilliseconds);
                        break;
                    default:
                        other.Add($"{status} {body}");
                        break;
                }
            }

            return (ok, throttled, other);
        })));
        return (results.SelectMany(r => r.ok).ToList(), results.SelectMany(r => r.throttled).ToList(), results.SelectMany(r => r.other).ToList());
    }
}
