using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
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
internal static class ShimBenchmark
{
    private const string Payload = """{"bench":"warm invoke","n":12345}""";
    private const int StartRepetitions = 7;

    public static async Task<IReadOnlyList<string>> RunAsync(string shim, string? previous, int invocations)
    {
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

        var lines = new List<string>();
        var kestrel = await MeasureKestrelAsync(invocations);
        lines.Add($"shim: baseline direct Kestrel hello-world: p50 {kestrel.P50:F3} ms, p99 {kestrel.P99:F3} ms, {kestrel.PerSecond:F0} requests/s (one at a time)");
        foreach (var (name, command, environment) in runtimes)
        {
            var runtimeStart = await MeasureRuntimeStartAsync(command, environment);
            foreach (var (label, binary) in builds)
            {
                var (shimStart, idleRss, warm) = await MeasureShimAsync(binary, command, environment, name == "bash" ? Math.Max(200, invocations / 10) : invocations);
                lines.Add($"{label}+{name}: warm invoke p50 {warm.P50:F3} ms ({warm.P50 / kestrel.P50:F1}x Kestrel), p99 {warm.P99:F3} ms ({warm.P99 / kestrel.P99:F1}x), {warm.PerSecond:F0} requests/s ({warm.PerSecond / kestrel.PerSecond:F2}x)");
                lines.Add($"{label}+{name}: start to ready {shimStart:F0} ms, runtime alone to its first next {runtimeStart:F0} ms: the shim adds {shimStart - runtimeStart:F0} ms (target <= 50 ms; medians of {StartRepetitions})");
                lines.Add($"{label}+{name}: shim idle resident memory {idleRss:F1} MB (target <= 20 MB; the runtime's own is not counted)");
            }
        }

        return lines;
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

    private static async Task<(double StartMilliseconds, double IdleRssMegabytes, Latency Warm)> MeasureShimAsync(
        string shim, IReadOnlyList<string> command, Dictionary<string, string> environment, int invocations)
    {
        var starts = new List<double>();
        for (var i = 0; i < StartRepetitions; i++)
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
        // Idle: after the load, with the GC settled.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var rss = ResidentMegabytes(warm.Process.ProgramId);
        return (Median(starts), rss, latency);
    }

    /// <summary>The runtime on its own: from its start until its first <c>next</c> arrives at a bare TCP stub.</summary>
    private static async Task<double> MeasureRuntimeStartAsync(IReadOnlyList<string> command, Dictionary<string, string> environment)
    {
        var results = new List<double>();
        for (var i = 0; i < StartRepetitions; i++)
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

        return Median(results);
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

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
