using System.Diagnostics;
using k8s.Models;
using Lamina.Bench.Load;
using Lamina.Bench.Reporting;
using Lamina.Kubernetes.Client;
using Lamina.Operator.Api;
using Lamina.Testing;

namespace Lamina.Bench.Scenarios;

/// <summary>
/// Resident memory: the shim idle in front of a ready Node runtime (the runtime's own not counted), and
/// the operator (with its concurrency controller) and the gateway, each a process of its own, against a
/// real API server (the integration fixture) at 0 and at N Functions; what one Function costs each is
/// (resident at N − resident at 0) / N. Baselines: the targets' absolute figures (20 MB, 50 KB a Function);
/// the gateway's figure is for context.
/// </summary>
internal sealed class MemoryScenario : IScenario
{
    private const string Namespace = "bench";

    /// <summary>
    /// How long a process is left alone before its memory is read: long enough for start-up work (JIT in
    /// the background, informers' first lists, the GC settling) to be over, short for a bench.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    /// <summary>Nothing is measured per request here; the series carry memory only.</summary>
    private static readonly LatencySummary NoLatency = new(0, 0, 0, 0);

    public string Name => "memory";

    public string Summary =>
        "resident memory: the shim idle (target <= 20 MB), the operator with its concurrency controller (target <= 50 KB per Function) and the gateway at 0 and N Functions against kube-apiserver";

    public bool NeedsCluster => false;

    public async Task RunAsync(ScenarioRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var functions = run.SizeOr(full: 1000, smoke: 10);
        var settle = run.Smoke ? TimeSpan.FromSeconds(1) : Settle;
        var report = run.Report;
        report.Say($"== memory: the shim idle; the operator and the gateway at 0 and {functions} Functions ==");
        var layout = RepositoryLayout.Discover();

        await MeasureShimAsync(run, layout, settle);
        await MeasureControlPlaneAsync(run, layout, functions, settle);
    }

    private static async Task MeasureShimAsync(ScenarioRun run, RepositoryLayout layout, TimeSpan settle)
    {
        var node = ShimBenchmark.NodeRuntime(layout);
        await using var shim = await ShimProcess.StartAsync(
            [Path.Combine(node, "bin/node"), Path.Combine(node, "node_modules/aws-lambda-ric/index.mjs")],
            new Dictionary<string, string>
            {
                ["LAMBDA_TASK_ROOT"] = Path.Combine(layout.Root, "examples/runtimes/node"),
                ["_HANDLER"] = "index.handler",
            },
            binary: run.Shim);
        var pid = shim.Process.ProgramId;
        await Task.Delay(settle);
        var idle = ProcessStats.ResidentMegabytes(pid);

        // After some warm invocations (buffers grown, connections kept) and idle again.
        const string Payload = """{"bench":"memory"}""";
        for (var i = 0; i < (run.Smoke ? 5 : 200); i++)
        {
            using var response = await shim.PostAsync(shim.ContractUri, Payload);
            response.EnsureSuccessStatusCode();
        }

        await Task.Delay(settle);
        var afterUse = ProcessStats.ResidentMegabytes(pid);
        var peak = ProcessStats.PeakResidentMegabytes(pid);
        var runtime = ProcessStats.Tree(pid).Skip(1).Sum(ProcessStats.ResidentMegabytes);

        var report = run.Report;
        report.Series.Add(Memory("idle, ready (resident)", "shim", idle));
        report.Series.Add(Memory("idle after warm invokes (resident)", "shim", afterUse));
        report.Series.Add(Memory("lifetime peak (VmHWM)", "shim", peak));
        report.Series.Add(Memory("idle, ready (resident)", "Node runtime (for context)", runtime));
        var worst = Math.Max(idle, afterUse);
        report.Targets.Add(new TargetResult("shim idle RSS ≤ 20 MB", worst, worst <= 20));
        report.Say($"memory: shim idle resident {idle:F1} MB when ready, {afterUse:F1} MB idle after warm invokes, peak {peak:F1} MB (target <= 20 MB); its Node runtime {runtime:F0} MB (not counted)");
    }

    private static async Task MeasureControlPlaneAsync(ScenarioRun run, RepositoryLayout layout, int functions, TimeSpan settle)
    {
        await using var apiServer = new ApiServerFixtureScope();
        await apiServer.StartAsync();
        using (var http = apiServer.Fixture.CreateHttpClient())
        {
            await ApiServerFixtureScope.InstallFunctionCrdAsync(http);
        }

        using var client = apiServer.Fixture.CreateKubernetesClient();
        await client.CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        var kubeconfig = Path.Combine(apiServer.Fixture.WorkDirectory, "bench-memory.kubeconfig");
        apiServer.Fixture.WriteKubeconfig(kubeconfig, Namespace);

        var port = FreePort.Next();
        await using var operatorProcess = StartOperator(layout, kubeconfig, port);
        using var operatorHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitAsync(async () => (await TryGetAsync(operatorHttp, "/metrics"))?.Contains("lamina_operator_leader 1", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(60), "the operator leads", operatorProcess);
        await using var gateway = await GatewayProcess.StartAsync(kubeconfig, ["--auth=none", $"--Lamina:Gateway:Controller:LeaseNamespace={Namespace}"]);

        await Task.Delay(settle);
        var operatorPid = operatorProcess.ProgramId;
        var gatewayPid = gateway.Process.ProgramId;
        var (operatorAtZero, gatewayAtZero) = (ProcessStats.ResidentMegabytes(operatorPid), ProcessStats.ResidentMegabytes(gatewayPid));

        var created = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, functions), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await client.CreateAsync(new Function
            {
                Metadata = new V1ObjectMeta { Name = $"fn-{i:D5}", NamespaceProperty = Namespace },
                Spec = new FunctionSpec { Image = "docker.io/lamina/example-node:dev", Handler = "index.handler" },
            }, ct));
        await WaitAsync(async () => await ReconciledAsync(client) == functions, TimeSpan.FromMinutes(10), $"all {functions} Functions reconciled", operatorProcess);
        var reconciled = created.Elapsed;
        await Task.Delay(settle);
        var (operatorAtN, gatewayAtN) = (ProcessStats.ResidentMegabytes(operatorPid), ProcessStats.ResidentMegabytes(gatewayPid));
        var (operatorPeak, gatewayPeak) = (ProcessStats.PeakResidentMegabytes(operatorPid), ProcessStats.PeakResidentMegabytes(gatewayPid));

        var operatorPerFunction = (operatorAtN - operatorAtZero) * 1024 / functions;
        var gatewayPerFunction = (gatewayAtN - gatewayAtZero) * 1024 / functions;
        var report = run.Report;
        report.Series.Add(Memory("0 Functions (resident)", "operator", operatorAtZero));
        report.Series.Add(Memory($"{functions} Functions (resident)", "operator", operatorAtN));
        report.Series.Add(Memory($"{functions} Functions (lifetime peak, VmHWM)", "operator", operatorPeak));
        report.Series.Add(Memory("0 Functions (resident)", "gateway", gatewayAtZero));
        report.Series.Add(Memory($"{functions} Functions (resident)", "gateway", gatewayAtN));
        report.Series.Add(Memory($"{functions} Functions (lifetime peak, VmHWM)", "gateway", gatewayPeak));
        report.Ratios.Add(new RatioResult("operator KB per Function", operatorPerFunction));
        report.Ratios.Add(new RatioResult("gateway KB per Function", gatewayPerFunction));
        report.Targets.Add(new TargetResult("operator ≤ 50 KB per Function", operatorPerFunction, operatorPerFunction <= 50));
        report.Say($"memory: operator (with the concurrency controller) resident {operatorAtZero:F1} MB at 0 Functions, {operatorAtN:F1} MB at {functions} (peak {operatorPeak:F1} MB): {operatorPerFunction:F1} KB per Function (target <= 50 KB); all reconciled after {reconciled.TotalSeconds:F1} s");
        report.Say($"memory: gateway resident {gatewayAtZero:F1} MB at 0 Functions, {gatewayAtN:F1} MB at {functions} (peak {gatewayPeak:F1} MB): {gatewayPerFunction:F1} KB per Function (for context)");
        if (functions < 200)
        {
            report.Say($"memory: with {functions} Functions the per-Function figures are mostly the GC's noise");
        }
    }

    private static SeriesResult Memory(string @case, string side, double megabytes) =>
        new(@case, side, NoLatency, null, 0, 0, null, double.IsNaN(megabytes) ? null : megabytes, 1, null, []);

    /// <summary>The operator program as OperatorBenchmark starts it (its concurrency controller included), logging warnings only.</summary>
    private static SupervisedProcess StartOperator(RepositoryLayout layout, string kubeconfig, int port)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "lamina-operator.dll");
        return SupervisedProcess.Start("dotnet", [dll, $"--urls=http://127.0.0.1:{port}"],
            Path.Combine(Path.GetTempPath(), $"lamina-bench-operator-{port}.log"),
            new Dictionary<string, string>
            {
                ["KUBECONFIG"] = kubeconfig,
                ["Logging__LogLevel__Default"] = "Warning",
                ["DOTNET_ROOT"] = Path.GetDirectoryName(Environment.ProcessPath) ?? "",
                ["LAMINA_BENCH_ROOT"] = layout.Root,
            });
    }

    private static async Task<int> ReconciledAsync(IKubernetesClient client)
    {
        var count = 0;
        string? next = null;
        do
        {
            var page = await client.ListAsync<Function>(Namespace, new ListOptions { Limit = 500, Continue = next });
            count += page.Items.Count(f => f.Status?.ObservedGeneration is { } observed && observed == f.Metadata.Generation);
            next = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));
        return count;
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

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, SupervisedProcess process)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"bench: {what} did not happen within {timeout}:\n{process.LogTail(40)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }
}
