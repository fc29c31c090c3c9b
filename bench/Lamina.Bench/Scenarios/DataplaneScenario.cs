using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Lamina.Bench.Load;
using Lamina.Bench.Reporting;
using Lamina.Testing;

namespace Lamina.Bench.Scenarios;

/// <summary>
/// A warm invoke through the gateway (gateway → shim → Node RIC, as <see cref="GatewayBenchmark"/> sets it
/// up on this machine: no kubelet, the environments are shim processes on loopback behind Pods the bench
/// writes) across concurrency and payload size, against B0 (a direct Kestrel hello-world that echoes the
/// body) and B1 (the same behind one plain YARP hop), and the shims alone (what the gateway adds is the
/// gateway's figure minus theirs). Each case is measured closed-loop (latency and the rate achieved) and
/// then open-loop at a fixed rate, half Lamina's closed-loop rate, every side at the same rate (latency
/// under load, from each request's intended send time).
/// </summary>
internal sealed class DataplaneScenario : IScenario
{
    private const string B0 = "B0 (direct Kestrel)";
    private const string B1 = "B1 (YARP hop)";
    private const string ShimAlone = "shim+node alone";
    private const string Lamina = "lamina";

    /// <summary>
    /// The function's environments (shim + Node each). "Enough environments" for the rate target means one
    /// per concurrent client; four is that up to c=4 and already more processes than a 2-core machine
    /// runs at once, so higher concurrencies queue in the gateway, as they would with a capped function.
    /// </summary>
    private const int Environments = 4;

    /// <summary>Each series' own warm-up: tiered JIT recompiles hot methods only after they have run a while.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    public string Name => "dataplane";

    public string Summary =>
        "warm invoke gateway -> shim -> Node RIC at concurrency 1-64 and payload 10 B-1 MB, closed- and open-loop, against B0 direct Kestrel hello-world and B1 one plain YARP hop in front of it";

    public bool NeedsCluster => false;

    public async Task RunAsync(ScenarioRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var report = run.Report;
        var count = run.SizeOr(full: 2000, smoke: 20);
        int[] concurrencies = run.Smoke ? [1, 4] : [1, 4, 16, 64];
        int[] payloads = run.Smoke ? [10, 100 * 1024] : [10, 1024, 100 * 1024, 1024 * 1024];
        // The concurrency sweep at 10 B, the payload sweep at c=4 (not the cross product: it would take an hour).
        var cases = concurrencies.Select(c => (Concurrency: c, Payload: 10))
            .Concat(payloads.Where(p => p != 10).Select(p => (Concurrency: 4, Payload: p)))
            .ToList();
        report.Say($"== dataplane: warm invoke through gateway -> shim -> Node RIC ({Environments} environments), {count} requests per series (fewer for large payloads) ==");

        var layout = RepositoryLayout.Discover();
        await using var baselines = await KestrelBaselines.StartAsync();
        var (hello, helloUri, proxy, proxyUri) = (baselines.Hello, baselines.HelloUri, baselines.Proxy, baselines.ProxyUri);

        await using var function = await LoopbackFunction.StartAsync(run.Shim, layout);
        var shims = new List<ShimProcess> { function.Environment };
        try
        {
            for (var i = 1; i < Environments; i++)
            {
                shims.Add(await StartEnvironmentAsync(run.Shim, layout, function, i));
            }

            await using var gateway = await GatewayProcess.StartAsync(function.Kubeconfig, ["--auth=none", LoopbackFunction.DiscoveryArgument]);
            var gatewayUri = LoopbackFunction.InvokeUri(gateway);

            using var client = HttpLoad.CreateClient();
            var ready = TimeSpan.FromSeconds(60);
            await HttpLoad.WaitUntilOkAsync(client, () => HttpLoad.Post(helloUri, "{}"), ready, "the Kestrel hello-world answers");
            await HttpLoad.WaitUntilOkAsync(client, () => HttpLoad.Post(proxyUri, "{}"), ready, "the YARP proxy answers");
            await HttpLoad.WaitUntilOkAsync(client, () => HttpLoad.Post(gatewayUri, "{}"), ready, "the gateway invokes the function");

            int[] helloPids = [hello.ProgramId];
            int[] proxyPids = [proxy.ProgramId, hello.ProgramId];
            var shimPids = shims.SelectMany(s => ProcessStats.Tree(s.Process.ProgramId)).ToArray();
            int[] laminaPids = [gateway.Process.ProgramId, .. shimPids];
            var contracts = shims.Select(s => s.ContractUri).ToArray();

            var results = new Dictionary<(int Concurrency, int Payload, string Side), ClosedLoopResult>();
            foreach (var (concurrency, payloadBytes) in cases)
            {
                var @case = $"c={concurrency} payload={Bytes(payloadBytes)}";
                var payload = Payload(payloadBytes);
                var requests = Math.Max(run.Smoke ? count : 50, payloadBytes >= 1024 * 1024 ? count / 10 : payloadBytes >= 100 * 1024 ? count / 4 : count);
                var sides = new List<(string Side, Func<int, CancellationToken, Task<bool>> Send, int[] Pids)>
                {
                    (B0, (_, ct) => SendAsync(client, helloUri, payload, ct), helloPids),
                    (B1, (_, ct) => SendAsync(client, proxyUri, payload, ct), proxyPids),
                };
                if (concurrency <= Environments)
                {
                    // Each caller keeps to one shim: a shim answers "busy" to a second invocation at once.
                    sides.Add((ShimAlone, (caller, ct) => SendAsync(client, contracts[caller], payload, ct), shimPids));
                }

                sides.Add((Lamina, (_, ct) => SendAsync(client, gatewayUri, payload, ct), laminaPids));

                // Closed loop, the sides one after the other (each warmed up first).
                foreach (var (side, send, pids) in sides)
                {
                    ResetPeak(pids);
                    await ClosedLoopLoad.WarmUpAsync(send, concurrency, run.Smoke ? TimeSpan.Zero : WarmUp, minimum: run.Smoke ? 5 : 50);
                    var cpuBefore = ProcessStats.Cpu(pids);
                    var result = await ClosedLoopLoad.RunAsync(send, requests, concurrency);
                    var cpu = (ProcessStats.Cpu(pids) - cpuBefore).TotalSeconds;
                    results[(concurrency, payloadBytes, side)] = result;
                    report.Series.Add(new SeriesResult(@case, side, LatencySummary.Of([.. result.OkLatenciesMs]), result.OkPerSecond, result.OkLatenciesMs.Count, result.Errors,
                        cpu / requests, PeakMegabytes(pids), 1, null, LatencySummary.Thin([.. result.OkLatenciesMs])));
                    if (result.Errors > 0)
                    {
                        report.Say($"dataplane: {@case} {side}: {result.Errors} of {requests} failed, e.g. {(result.ErrorMessages is [var first, ..] ? first : "a wrong answer")}");
                    }
                }

                SayClosedLoop(report, @case, concurrency, payloadBytes, results);

                // Open loop at half Lamina's closed-loop rate, every side at the same rate (the shims alone
                // cannot take it unpinned: they answer "busy" to concurrent invocations).
                var rate = Math.Max(1, results[(concurrency, payloadBytes, Lamina)].OkPerSecond / 2);
                // At least 5 s (normally): a shorter run is mostly its first burst of connections.
                var duration = TimeSpan.FromSeconds(Math.Max(requests / rate, run.Smoke ? 0 : 5));
                var openLine = new List<string>();
                foreach (var (side, send, pids) in sides.Where(s => s.Side != ShimAlone))
                {
                    // Its own warm-up at the same rate: the connections it needs at once, the thread pool's threads.
                    await OpenLoopLoad.RunAsync(ct => send(0, ct), rate, run.Smoke ? TimeSpan.FromSeconds(0.2) : WarmUp, new OpenLoopOptions { MaximumInFlight = 256 });
                    ResetPeak(pids);
                    var cpuBefore = ProcessStats.Cpu(pids);
                    var open = await OpenLoopLoad.RunAsync(ct => send(0, ct), rate, duration, new OpenLoopOptions { MaximumInFlight = 256 });
                    var cpu = (ProcessStats.Cpu(pids) - cpuBefore).TotalSeconds;
                    var latencies = open.OkLatenciesMs();
                    var summary = LatencySummary.Of(latencies);
                    report.Series.Add(new SeriesResult($"{@case} open-loop {rate:F0}/s", side, summary, open.OkPerSecond, open.Offered, open.Errors,
                        cpu / Math.Max(1, open.Offered), PeakMegabytes(pids), 1, null, LatencySummary.Thin(latencies)));
                    openLine.Add($"{side} p50 {summary.P50:F3} p99 {summary.P99:F3} ms{(open.Errors > 0 ? $" ({open.Errors} errors: {(open.TopErrors(1) is [var top, ..] ? top.Error : "")})" : "")}");
                }

                report.Say($"dataplane: {@case} open loop at {rate:F0}/s for {duration.TotalSeconds:F1} s (latency from the intended send time): {string.Join("; ", openLine)}");
            }

            Judge(report, cases, results);
        }
        finally
        {
            foreach (var shim in shims.Skip(1))
            {
                await shim.DisposeAsync();
            }
        }
    }

    private static void SayClosedLoop(ScenarioReport report, string @case, int concurrency, int payloadBytes, Dictionary<(int, int, string), ClosedLoopResult> results)
    {
        var parts = new List<string>();
        foreach (var side in new[] { B0, B1, ShimAlone, Lamina })
        {
            if (results.TryGetValue((concurrency, payloadBytes, side), out var r))
            {
                var s = LatencySummary.Of([.. r.OkLatenciesMs]);
                parts.Add($"{side} p50 {s.P50:F3} p99 {s.P99:F3} ms {r.OkPerSecond:F0}/s");
            }
        }

        var b0 = results[(concurrency, payloadBytes, B0)];
        var b1 = results[(concurrency, payloadBytes, B1)];
        var lamina = results[(concurrency, payloadBytes, Lamina)];
        var hop = P50(b1) - P50(b0);
        var perSecond = lamina.OkPerSecond / b0.OkPerSecond;
        report.Ratios.Add(new RatioResult($"requests/s lamina / direct Kestrel ({@case})", perSecond));
        var added = "";
        if (results.TryGetValue((concurrency, payloadBytes, ShimAlone), out var shim))
        {
            var ratio = (P50(lamina) - P50(shim)) / hop;
            report.Ratios.Add(new RatioResult($"added warm p50 / one YARP hop ({@case})", ratio));
            added = $"; the gateway adds p50 {P50(lamina) - P50(shim):F3} ms = {ratio:F2}x one YARP hop ({hop:F3} ms)";
        }

        report.Say($"dataplane: {@case} closed loop: {string.Join("; ", parts)}{added}; requests/s lamina / direct {perSecond:F2}x");
    }

    private static void Judge(ScenarioReport report, List<(int Concurrency, int Payload)> cases, Dictionary<(int, int, string), ClosedLoopResult> results)
    {
        // The latency target at one request at a time with the smallest payload, as docs/performance.md states it.
        if (results.TryGetValue((1, 10, ShimAlone), out var shim))
        {
            var hop = P50(results[(1, 10, B1)]) - P50(results[(1, 10, B0)]);
            var ratio = (P50(results[(1, 10, Lamina)]) - P50(shim)) / hop;
            report.Targets.Add(new TargetResult("added warm p50 ≤ 1.0× one YARP hop", ratio, ratio <= 1.0));
        }

        // The rate target at the highest concurrency the environments cover (one environment per client).
        var covered = cases.Where(c => c.Payload == 10 && c.Concurrency <= Environments).Select(c => c.Concurrency).DefaultIfEmpty(1).Max();
        var perSecond = results[(covered, 10, Lamina)].OkPerSecond / results[(covered, 10, B0)].OkPerSecond;
        report.Targets.Add(new TargetResult("requests/s with enough environments ≥ 0.33× direct Kestrel", perSecond, perSecond >= 0.33));
        report.Say($"dataplane: targets: added warm p50 at c=1 10 B {report.Targets.FirstOrDefault()?.Value:F2}x one YARP hop (target <= 1.0); requests/s lamina / direct Kestrel at c={covered} with {Environments} environments {perSecond:F2}x (target >= 0.33)");
    }

    /// <summary>One more environment of the function: a shim + Node on loopback, and a Pod as <see cref="LoopbackFunction"/> writes its first.</summary>
    private static async Task<ShimProcess> StartEnvironmentAsync(string shimBinary, RepositoryLayout layout, LoopbackFunction function, int index)
    {
        var node = ShimBenchmark.NodeRuntime(layout);
        var shim = await ShimProcess.StartAsync(
            [Path.Combine(node, "bin/node"), Path.Combine(node, "node_modules/aws-lambda-ric/index.mjs")],
            new Dictionary<string, string>
            {
                ["LAMBDA_TASK_ROOT"] = Path.Combine(layout.Root, "examples/runtimes/node"),
                ["_HANDLER"] = "index.handler",
            },
            binary: shimBinary);
        await LoopbackFunction.AddPodAsync(function.Client, $"{LoopbackFunction.FunctionName}-fn-bench-{index}", shim.InvokeBase.Port);
        return shim;
    }

    /// <summary>A POST whose answer must be a 200 echoing <paramref name="payload"/> (every side echoes: hello-world, proxy, the conformance function).</summary>
    private static async Task<bool> SendAsync(HttpClient client, Uri uri, byte[] payload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK && body.AsSpan().SequenceEqual(payload);
    }

    /// <summary>Compact JSON of exactly <paramref name="bytes"/> bytes (at least 8): <c>{"p":"aaa…"}</c>, which the Node function returns byte for byte.</summary>
    private static byte[] Payload(int bytes) => System.Text.Encoding.ASCII.GetBytes($"{{\"p\":\"{new string('a', Math.Max(0, bytes - 8))}\"}}");

    private static string Bytes(int bytes) => bytes switch
    {
        >= 1024 * 1024 => $"{bytes / (1024 * 1024)}MB",
        >= 1024 => $"{bytes / 1024}KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + "B",
    };

    private static double P50(ClosedLoopResult result) => LatencySummary.Of([.. result.OkLatenciesMs]).P50;

    /// <summary>Resets the processes' VmHWM (writing 5 to clear_refs), so that the next peak is this series' own.</summary>
    private static void ResetPeak(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            try
            {
                File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not ours to reset (or gone): the peak is then the process's lifetime peak.
            }
        }
    }

    /// <summary>The sum of the processes' peaks (an upper bound of their peak together), in MB.</summary>
    private static double? PeakMegabytes(IEnumerable<int> pids)
    {
        var sum = pids.Sum(ProcessStats.PeakResidentMegabytes);
        return double.IsNaN(sum) ? null : sum;
    }
}
