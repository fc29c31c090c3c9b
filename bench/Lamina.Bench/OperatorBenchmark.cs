using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Lamina.Bench.Reporting;
using Lamina.Kubernetes.Client;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Testing;

namespace Lamina.Bench;

/// <summary>
/// The operator against a real API server (the integration fixture): N Functions created at once,
/// time until every one is reconciled (status.observedGeneration caught up) against the time the
/// API server took just to create them; API writes per no-op reconcile (a forced resync of all N);
/// the operator's resident memory at 0 and N Functions.
/// </summary>
internal sealed partial class OperatorBenchmark : IScenario
{
    private const string Namespace = "bench";

    /// <summary>The operator's memory target per Function (docs/performance.md), in KB.</summary>
    private const double KilobytesPerFunctionTarget = 50;

    public string Name => "reconcile";

    public string Summary => "the operator against a real kube-apiserver: N Functions reconciled vs the API server's own create time (B4), writes per no-op reconcile, memory per Function";

    public bool NeedsCluster => false;

    public async Task RunAsync(ScenarioRun run)
    {
        var report = run.Report;
        var functions = run.SizeOr(1000, 10);
        Console.WriteLine($"== operator: {functions} Functions against kube-apiserver 1.20 (fixture) ==");
        var layout = RepositoryLayout.Discover();
        await using var apiServer = new ApiServerFixtureScope();
        await apiServer.StartAsync();
        using var http = apiServer.Fixture.CreateHttpClient();
        await ApiServerFixtureScope.InstallFunctionCrdAsync(http);
        var client = apiServer.Fixture.CreateKubernetesClient();
        await client.CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });

        var kubeconfig = Path.Combine(apiServer.Fixture.WorkDirectory, "bench.kubeconfig");
        apiServer.Fixture.WriteKubeconfig(kubeconfig, Namespace);
        var port = FreePort.Next();
        // A 30 s resync makes every Function be reconciled again with nothing to change (bench-smoke: 5 s, the same path sooner).
        using var operatorProcess = StartOperator(layout, kubeconfig, port, resync: TimeSpan.FromSeconds(run.Smoke ? 5 : 30));
        using var operatorHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitAsync(async () => (await TryGetAsync(operatorHttp, "/readyz")) == "ok", TimeSpan.FromSeconds(60), "the operator is ready");
        await WaitAsync(async () => (await TryGetAsync(operatorHttp, "/metrics"))?.Contains("lamina_operator_leader 1", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(60), "the operator leads");
        var idleRss = RssMegabytes(operatorProcess.Id);

        // Baseline: the API server's own cost of storing N Functions, 8 requests in flight.
        // Each Function's create call (the baseline's samples), and when each was first seen reconciled.
        var createMs = new double[functions];
        var createdAt = new double[functions];
        var reconciledAt = new Dictionary<string, double>(StringComparer.Ordinal);
        var created = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, functions), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var sent = created.Elapsed.TotalMilliseconds;
            await client.CreateAsync(new Function
            {
                Metadata = new V1ObjectMeta { Name = $"fn-{i:D5}", NamespaceProperty = Namespace },
                Spec = new FunctionSpec { Image = "docker.io/lamina/example-node:dev", Handler = "index.handler" },
            }, ct);
            createdAt[i] = created.Elapsed.TotalMilliseconds;
            createMs[i] = createdAt[i] - sent;
        });
        var createSeconds = created.Elapsed.TotalSeconds;

        await WaitAsync(async () => await ReconciledAsync(client, reconciledAt, created) == functions, TimeSpan.FromMinutes(10), $"all {functions} Functions reconciled");
        var reconciledSeconds = created.Elapsed.TotalSeconds;
        var loadedRss = RssMegabytes(operatorProcess.Id);

        // No-op reconciles: wait for a full resync and count the API server's writes meanwhile.
        var reconcilesBefore = await CounterAsync(operatorHttp, "lamina_operator_reconciles_total", "result=\"success\"");
        var writesBefore = await ApiWritesByResourceAsync(http);
        await WaitAsync(async () => await CounterAsync(operatorHttp, "lamina_operator_reconciles_total", "result=\"success\"") >= reconcilesBefore + functions,
            TimeSpan.FromMinutes(3), "a full resync");
        var noOpReconciles = await CounterAsync(operatorHttp, "lamina_operator_reconciles_total", "result=\"success\"") - reconcilesBefore;
        var writesAfter = await ApiWritesByResourceAsync(http);
        var writesByResource = writesAfter.ToDictionary(p => p.Key, p => p.Value - writesBefore.GetValueOrDefault(p.Key));
        // The reconciler writes Functions (status), Deployments and Services; Leases (leader
        // renewals) and Events (the recorder still draining the creation events) are reported apart.
        var writes = writesByResource.Where(p => p.Key is "functions" or "deployments" or "services").Sum(p => p.Value);
        var otherWrites = string.Join(", ", writesByResource.Where(p => p.Value > 0 && p.Key is not ("functions" or "deployments" or "services")).Select(p => $"{p.Key} {p.Value}"));

        operatorProcess.Kill(entireProcessTree: true);
        await operatorProcess.WaitForExitAsync();

        var perFunctionKb = (loadedRss - idleRss) * 1024 / functions;
        var writesPerReconcile = (double)writes / Math.Max(1, noOpReconciles);
        var toReconciled = Enumerable.Range(0, functions).Select(i => reconciledAt[$"fn-{i:D5}"] - createdAt[i]).ToList();
        report.Series.Add(Series.Of($"{functions} Functions created at once (8 in flight)", "B4 API-server write (each create call)", createMs, requestsPerSecond: functions / createSeconds));
        report.Series.Add(Series.Of($"{functions} Functions created at once (8 in flight)", "lamina (created -> seen reconciled; polled every 250 ms)", toReconciled, requestsPerSecond: functions / reconciledSeconds, peakRssMegabytes: loadedRss));
        report.Ratios.Add(new RatioResult("all reconciled / all created (time)", reconciledSeconds / createSeconds));
        report.Ratios.Add(new RatioResult("writes per no-op reconcile", writesPerReconcile));
        report.Targets.Add(new TargetResult($"operator memory <= {KilobytesPerFunctionTarget} KB per Function", perFunctionKb, perFunctionKb <= KilobytesPerFunctionTarget));
        report.Targets.Add(new TargetResult("0 writes per no-op reconcile", writesPerReconcile, writes == 0));
        string[] lines =
        [
            $"operator: {functions} Functions created in {createSeconds:F1} s (baseline: API writes only), all reconciled after {reconciledSeconds:F1} s: ratio {reconciledSeconds / createSeconds:F2}x the baseline, {functions / reconciledSeconds:F0} Functions/s",
            $"operator: {writes} writes of Functions, Deployments and Services during {noOpReconciles} no-op reconciles: {(double)writes / Math.Max(1, noOpReconciles):F3} writes per no-op reconcile (target 0); other writes meanwhile: {(otherWrites.Length == 0 ? "none" : otherWrites)}",
            $"operator: resident memory {idleRss:F0} MB at 0 Functions, {loadedRss:F0} MB at {functions} ({perFunctionKb:F1} KB per Function)",
        ];
        foreach (var line in lines)
        {
            report.Say(line);
        }
    }

    private static Process StartOperator(RepositoryLayout layout, string kubeconfig, int port, TimeSpan resync)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "lamina-operator.dll");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        info.Environment["KUBECONFIG"] = kubeconfig;
        info.Environment["Lamina__Operator__ResyncPeriod"] = resync.ToString("c", CultureInfo.InvariantCulture);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.WorkingDirectory = layout.Root;
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine($"  [operator] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine($"  [operator] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>How many Functions are reconciled; records when each was first seen so in <paramref name="reconciledAt"/> (ms on <paramref name="clock"/>).</summary>
    private static async Task<int> ReconciledAsync(IKubernetesClient client, Dictionary<string, double> reconciledAt, Stopwatch clock)
    {
        var count = 0;
        string? next = null;
        do
        {
            var page = await client.ListAsync<Function>(Namespace, new ListOptions { Limit = 500, Continue = next });
            foreach (var function in page.Items)
            {
                if (function.Status?.ObservedGeneration is { } observed && observed == function.Metadata.Generation)
                {
                    reconciledAt.TryAdd(function.Metadata.Name, clock.Elapsed.TotalMilliseconds);
                    count++;
                }
            }

            next = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));
        return count;
    }

    /// <summary>Writes the API server has served (create, update, patch, apply, delete), by resource, from its own metrics.</summary>
    private static async Task<Dictionary<string, long>> ApiWritesByResourceAsync(HttpClient http)
    {
        var text = await http.GetStringAsync("/metrics");
        var writes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match match in RequestCount().Matches(text))
        {
            if (match.Groups["verb"].Value is "POST" or "PUT" or "PATCH" or "DELETE" or "APPLY")
            {
                var resource = match.Groups["resource"].Value; // writes to a subresource (status, scale) count for their resource
                writes[resource] = writes.GetValueOrDefault(resource) + (long)double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return writes;
    }

    private static async Task<double> CounterAsync(HttpClient http, string name, string label)
    {
        var text = await TryGetAsync(http, "/metrics") ?? "";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Contains(label, StringComparison.Ordinal))
            {
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static double RssMegabytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return double.NaN;
    }

    private static async Task<string?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            return await http.GetStringAsync(path);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"bench: {what} did not happen within {timeout}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    [GeneratedRegex("""^apiserver_request_total\{(?=[^}]*[{,]resource="(?<resource>[a-z.]*)")(?=[^}]*[{,]verb="(?<verb>[A-Z]+)")[^}]*\} (?<value>[0-9.e+]+)$""", RegexOptions.Multiline)]
    private static partial Regex RequestCount();
}
