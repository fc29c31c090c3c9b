using System.Diagnostics;
using Lamina.Bench.Reporting;
using Lamina.Testing;

namespace Lamina.Bench.Scenarios;

/// <summary>
/// Lamina's Python runtime interface client (runtimes/python, the python3.11 image's runtime) against AWS's
/// Node RIC, both behind the published shim on loopback with the same trivial handler (it returns the
/// event): warm invoke p50/p99, one at a time. And the Python client's init, from its process start to its
/// first <c>next</c> at a bare Runtime API stub, against <c>python3 -c pass</c> (the interpreter's own
/// start and exit) and the Node RIC's init measured the same way.
/// </summary>
internal sealed class RuntimesScenario : IScenario
{
    private const string Payload = """{"bench":"warm invoke","n":12345}""";

    /// <summary>What json.dumps makes of the payload: Lambda's Python runtime writes ", " and ": ".</summary>
    private const string PythonAnswer = """{"bench": "warm invoke", "n": 12345}""";

    /// <summary>Debian's python3, the one the runtime-python311 image holds.</summary>
    private const string Python = "/usr/bin/python3";

    /// <summary>Starts measured per runtime (their median is reported); bench-smoke starts each once.</summary>
    private const int StartRepetitions = 21;

    public string Name => "runtimes";

    public string Summary => "the Python runtime client vs the Node RIC behind the shim (same trivial handler): warm invoke p50/p99; its init (start to first next) vs python3 -c pass";

    public bool NeedsCluster => false;

    public async Task RunAsync(ScenarioRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var report = run.Report;
        var invocations = run.SizeOr(2000, 20);
        var starts = run.Smoke ? 1 : StartRepetitions;
        var layout = RepositoryLayout.Discover();
        report.Say($"== runtimes: the Python client and the Node RIC behind the shim {run.Shim} ==");

        var taskRoot = Directory.CreateTempSubdirectory("lamina-bench-runtimes-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(taskRoot, "app.py"), "def handler(event, context):\n    return event\n");
            await File.WriteAllTextAsync(Path.Combine(taskRoot, "index.mjs"), "export const handler = async (event) => event;\n");
            var node = ShimBenchmark.NodeRuntime(layout);
            var runtimes = new (string Name, IReadOnlyList<string> Command, string Handler, string Answer)[]
            {
                ("python", [Path.Combine(layout.Root, "runtimes/python/bootstrap")], "app.handler", PythonAnswer),
                ("node", [Path.Combine(node, "bin/node"), Path.Combine(node, "node_modules/aws-lambda-ric/index.mjs")], "index.handler", Payload),
            };

            var warm = new Dictionary<string, Latency>(StringComparer.Ordinal);
            var init = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (name, command, handler, answer) in runtimes)
            {
                var environment = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["LAMBDA_TASK_ROOT"] = taskRoot,
                    ["_HANDLER"] = handler,
                };
                await using (var shim = await ShimProcess.StartAsync(command, environment, binary: run.Shim))
                {
                    warm[name] = await HttpLoad.SequentialAsync(shim.Client, () => HttpLoad.Post(shim.ContractUri, Payload), answer, invocations);
                }

                report.Series.Add(warm[name].ToSeries("warm invoke behind the shim, one at a time", name));
                var inits = await ShimBenchmark.MeasureRuntimeStartAsync(command, environment, starts);
                init[name] = ShimBenchmark.Median(inits);
                report.Series.Add(Series.Of("init: process start to first next", name, inits));
            }

            var bare = await MeasureInterpreterAsync(starts);
            var bareMedian = ShimBenchmark.Median(bare);
            report.Series.Add(Series.Of("init: process start to first next", "python3 -c pass (start to exit)", bare));

            var (python, nodeWarm) = (warm["python"], warm["node"]);
            report.Ratios.Add(new RatioResult("python client warm p50 / Node RIC warm p50", python.P50 / nodeWarm.P50));
            report.Ratios.Add(new RatioResult("python client warm p99 / Node RIC warm p99", python.P99 / nodeWarm.P99));
            report.Ratios.Add(new RatioResult("python client init / python3 -c pass", init["python"] / bareMedian));
            report.Ratios.Add(new RatioResult("python client init / Node RIC init", init["python"] / init["node"]));
            report.Say($"runtimes: warm invoke p50 python {python.P50:F3} ms, node {nodeWarm.P50:F3} ms: {python.P50 / nodeWarm.P50:F2}x; p99 {python.P99:F3} ms vs {nodeWarm.P99:F3} ms ({invocations} invocations each)");
            report.Say($"runtimes: init (start to first next) python client {init["python"]:F1} ms, python3 -c pass {bareMedian:F1} ms: {init["python"] / bareMedian:F2}x, +{init["python"] - bareMedian:F1} ms; node RIC {init["node"]:F1} ms (medians of {starts})");
        }
        finally
        {
            Directory.Delete(taskRoot, recursive: true);
        }
    }

    /// <summary>The interpreter alone: <c>python3 -c pass</c> from its start to its exit.</summary>
    private static async Task<List<double>> MeasureInterpreterAsync(int repetitions)
    {
        var results = new List<double>();
        for (var i = 0; i < repetitions; i++)
        {
            var start = new ProcessStartInfo(Python) { ArgumentList = { "-c", "pass" }, RedirectStandardOutput = true, RedirectStandardError = true };
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
            results.Add(clock.Elapsed.TotalMilliseconds);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{Python} -c pass exited with {process.ExitCode}");
            }
        }

        return results;
    }
}
