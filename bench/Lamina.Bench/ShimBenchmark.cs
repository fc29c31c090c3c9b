using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Lamina.Bench.Reporting;
using Lamina.Testing;

namespace Lamina.Bench;

/// <summary>
/// The runtime shim as shipped (the published, self-contained binary): warm invocations through it
/// with the bash runtime and the Node RIC against a direct Kestrel hello-world process answering the
/// same bytes (p50, p99, requests/s, one request at a time: an environment runs one invocation at a
/// time); start-to-ready with each runtime against the runtime's own start (until its first
/// <c>next</c> reaches a bare Runtime API stub); the shim's idle resident memory. When given the
/// previous build (the ReadyToRun single file, published by make bench), it is measured the same
/// way in the same run, each runtime's figures for both builds side by side.
/// </summary>
internal sealed class ShimBenchmark : IScenario
{
    private const string Payload = """{"bench":"warm invoke","n":12345}""";

    /// <summary>Starts measured per runtime and build (their median is reported); bench-smoke starts each once.</summary>
    private const int StartRepetitions = 7;

    /// <summary>The shim's idle resident memory target (docs/performance.md), in MB.</summary>
    private const double IdleRssTarget = 20;

    /// <summary>What the shim may add to the runtime's own start (docs/performance.md), in ms.</summary>
    private const double StartTarget = 50;

    public string Name => "shim";

    public string Summary => "the published shim (and its previous build) with the bash and Node runtimes vs a direct Kestrel hello-world (B0): warm invoke p50/p99, requests/s, start vs the runtime's own (B2), idle memory";

    public bool NeedsCluster => false;

    public async Task RunAsync(ScenarioRun run)
    {
        var report = run.Report;
        var shim = run.Shim;
        var previous = run.PreviousShimBinary;
        var invocations = run.SizeOr(2000, 20);
        var starts = run.Smoke ? 1 : StartRepetitions;
        // Idle: after the load, with the GC settled; bench-smoke only checks the figure is read.
        var settle = run.Smoke ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(3);
        Console.WriteLine($"== runtime shim: {shim} ==");
        var builds = new List<(string Label, string Binary)> { ("shim", shim) };
        if (previous is not null)
        {
            Console.WriteLine($"== previous build (ReadyToRun): {previous} ==");
            builds.Add(("shim (ReadyToRun)", previous));
        }

        var layout = RepositoryLayout.Discover();
        var runtimes = new List<(string Name, IReadOnlyList<string> Command, Dictionary<string, string> Environment)>
        {
            ("bash", [Path.Combine(layout.Root, "examples/runtimes/provided/bootstrap")], new()
            {
                ["LAMBDA_TASK_ROOT"] = Path.Combine(layout.Root, "examples/runtimes/provided"),
                ["_HANDLER"] = "function.handler",
            }),
        };
        var node = NodeRuntime(layout);
        runtimes.Add(("node", [Path.Combine(node, "bin/node"), Path.Combine(node, "node_modules/aws-lambda-ric/index.mjs")], new()
        {
            ["LAMBDA_TASK_ROOT"] = Path.Combine(layout.Root, "examples/runtimes/node"),
            ["_HANDLER"] = "index.handler",
        }));

        var kestrel = await MeasureKestrelAsync(invocations);
        report.Series.Add(kestrel.ToSeries("warm invoke, one at a time", "B0 direct Kestrel"));
        report.Say($"shim: baseline direct Kestrel hello-world: p50 {kestrel.P50:F3} ms, p99 {kestrel.P99:F3} ms, {kestrel.PerSecond:F0} requests/s (one at a time)");
        foreach (var (name, command, environment) in runtimes)
        {
            var runtimeStarts = await MeasureRuntimeStartAsync(command, environment, starts);
            var runtimeStart = Median(runtimeStarts);
            report.Series.Add(Series.Of($"{name}: start to ready", "B2 runtime's own start", runtimeStarts));
            foreach (var (label, binary) in builds)
            {
                // The bash runtime forks per invocation: a tenth of the count is enough (at least 200, but not in bench-smoke).
                var count = name == "bash" ? Math.Max(run.Smoke ? invocations : 200, invocations / 10) : invocations;
                var (shimStarts, idleRss, warm) = await MeasureShimAsync(binary, command, environment, count, starts, settle);
                var shimStart = Median(shimStarts);
                report.Series.Add(warm.ToSeries($"{name}: warm invoke, one at a time", label));
                report.Series.Add(Series.Of($"{name}: start to ready", label, shimStarts));
                report.Ratios.Add(new RatioResult($"{label}+{name}: warm p50 / Kestrel p50", warm.P50 / kestrel.P50));
                report.Ratios.Add(new RatioResult($"{label}+{name}: warm p99 / Kestrel p99", warm.P99 / kestrel.P99));
                report.Ratios.Add(new RatioResult($"{label}+{name}: requests/s / Kestrel", warm.PerSecond / kestrel.PerSecond));
                report.Targets.Add(new TargetResult($"{label}+{name}: shim idle RSS <= {IdleRssTarget} MB", idleRss, idleRss <= IdleRssTarget));
                report.Targets.Add(new TargetResult($"{label}+{name}: shim adds <= {StartTarget} ms to the runtime's start (ms)", shimStart - runtimeStart, shimStart - runtimeStart <= StartTarget));
                report.Say($"{label}+{name}: warm invoke p50 {warm.P50:F3} ms ({warm.P50 / kestrel.P50:F1}x Kestrel), p99 {warm.P99:F3} ms ({warm.P99 / kestrel.P99:F1}x), {warm.PerSecond:F0} requests/s ({warm.PerSecond / kestrel.PerSecond:F2}x)");
                report.Say($"{label}+{name}: start to ready {shimStart:F0} ms, runtime alone to its first next {runtimeStart:F0} ms: the shim adds {shimStart - runtimeStart:F0} ms (target <= 50 ms; medians of {starts})");
                report.Say($"{label}+{name}: shim idle resident memory {idleRss:F1} MB (target <= 20 MB; the runtime's own is not counted)");
            }
        }
    }

    /// <summary>The Node runtime folder hack/images/node-runtime.sh builds (cached).</summary>
    internal static string NodeRuntime(RepositoryLayout layout)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(layout.Root, "hack/images/node-runtime.sh")]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"hack/images/node-runtime.sh failed ({process.ExitCode})");
        }

        return output.TrimEnd().Split('\n')[^1];
    }

    private static async Task<Latency> MeasureKestrelAsync(int invocations)
    {
        var port = FreePort.Next();
        await using var hello = SelfProcess.Start("hello", port);
        using var client = HttpLoad.CreateClient();
        var uri = new Uri($"http://127.0.0.1:{port}/");
        await HttpLoad.WaitUntilOkAsync(client, () => HttpLoad.Post(uri, Payload), TimeSpan.FromSeconds(30), "the Kestrel hello-world answers");
        return await HttpLoad.SequentialAsync(client, () => HttpLoad.Post(uri, Payload), Payload, invocations);
    }

    private static async Task<(List<double> StartMilliseconds, double IdleRssMegabytes, Latency Warm)> MeasureShimAsync(
        string shim, IReadOnlyList<string> command, Dictionary<string, string> environment, int invocations, int repetitions, TimeSpan settle)
    {
        var starts = new List<double>();
        for (var i = 0; i < repetitions; i++)
        {
            var started = Stopwatch.StartNew();
            await using var cold = await ShimProcess.StartAsync(command, environment, waitForReady: false, binary: shim);
            while (!await cold.IsReadyAsync())
            {
                if (cold.Process.HasExited || started.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"the shim did not become ready:\n{cold.Process.LogTail()}");
                }

                await Task.Delay(1);
            }

            starts.Add(started.Elapsed.TotalMilliseconds);
        }

        await using var warm = await ShimProcess.StartAsync(command, environment, binary: shim);
        var latency = await HttpLoad.SequentialAsync(warm.Client, () => HttpLoad.Post(warm.ContractUri, Payload), Payload, invocations);
        await Task.Delay(settle);
        var rss = ResidentMegabytes(warm.Process.ProgramId);
        return (starts, rss, latency);
    }

    /// <summary>The runtime on its own: from its start until its first <c>next</c> arrives at a bare TCP stub.</summary>
    internal static async Task<List<double>> MeasureRuntimeStartAsync(IReadOnlyList<string> command, Dictionary<string, string> environment, int repetitions)
    {
        var results = new List<double>();
        for (var i = 0; i < repetitions; i++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = environment["LAMBDA_TASK_ROOT"] };
            foreach (var argument in command.Skip(1))
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            start.Environment["AWS_LAMBDA_RUNTIME_API"] = $"127.0.0.1:{port}";
            start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = "bench";
            start.Environment["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
            start.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "128";
            start.Environment["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/bench";
            start.Environment["AWS_LAMBDA_LOG_STREAM_NAME"] = "bench";
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                using var connection = await listener.AcceptTcpClientAsync(timeout.Token);
                var buffer = new byte[256];
                var read = await connection.GetStream().ReadAsync(buffer, timeout.Token);
                var line = Encoding.ASCII.GetString(buffer, 0, read);
                if (!line.StartsWith("GET /2018-06-01/runtime/invocation/next", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"the runtime's first request was not next: {line}");
                }

                results.Add(clock.Elapsed.TotalMilliseconds);
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        return results;
    }

    private static double ResidentMegabytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for {pid}");
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
