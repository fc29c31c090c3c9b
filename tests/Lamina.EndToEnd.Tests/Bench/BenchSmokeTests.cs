using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Lamina.Testing;
using Xunit.Abstractions;

namespace Lamina.EndToEnd.Tests.Bench;

/// <summary>
/// bench-smoke: every benchmark scenario (as <c>Lamina.Bench list</c> names them, so a new scenario is
/// tested without touching this file) run at its smallest by the built bench, as a process of its own,
/// must exit 0 and write its results: the JSON with at least one series that measured something
/// (requests, or memory), and a latency plot that is well-formed SVG. No timing is judged: the numbers of a smoke run mean nothing.
/// The cluster scenarios run their own operator in a namespace of their own (bench's ClusterScope).
/// </summary>
[Collection(LocalClusterCollection.Name)]
[Trait(TestTiers.Category, TestTiers.EndToEnd)]
public sealed class BenchSmokeTests(ITestOutputHelper output)
{
    /// <summary>Far above any scenario's smoke run (the slowest takes about a minute), short enough to fail a hung one.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private static readonly RepositoryLayout Layout = RepositoryLayout.Discover();

    /// <summary>The bench as make build leaves it (it is in Operator.sln).</summary>
    private static string BenchDll => Path.Combine(Layout.Root, "artifacts", "bin", "Lamina.Bench", "debug", "Lamina.Bench.dll");

    /// <summary>The published shim hack/images/runtime-shim/build.sh leaves for the host (make images runs it).</summary>
    private static string ShimBinary => Path.Combine(Layout.Cache, "runtime-shim", "host", "runtime-shim");

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        var (exitCode, text) = RunBenchAsync(["list"], TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
        Assert.True(exitCode == 0, $"Lamina.Bench list exited {exitCode}:\n{text}");
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            data.Add(line.Split(' ', 2)[0]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_Smoke_ExitsZeroAndWritesResultsAndPlot(string scenario)
    {
        var results = Directory.CreateTempSubdirectory("lamina-bench-smoke-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            var (exitCode, text) = await RunBenchAsync(["--smoke", "--results", results, scenario], Timeout);
            output.WriteLine(text);
            output.WriteLine($"bench-smoke {scenario}: exit {exitCode} after {clock.Elapsed.TotalSeconds:F0} s");
            Assert.Equal(0, exitCode);

            var json = Path.Combine(results, $"{scenario}.json");
            Assert.True(File.Exists(json), $"{json} was not written");
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var root = document.RootElement;
            Assert.Equal(scenario, root.GetProperty("scenario").GetString());
            Assert.True(root.GetProperty("smoke").GetBoolean());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
            var series = root.GetProperty("report").GetProperty("series").EnumerateArray().ToList();
            Assert.NotEmpty(series);
            // Something measured: requests, or (the memory scenario's series) a process's resident memory.
            Assert.Contains(series, s => s.GetProperty("requests").GetInt32() > 0 || s.GetProperty("peakRssMegabytes").ValueKind == JsonValueKind.Number);

            var plot = XDocument.Load(Path.Combine(results, $"{scenario}-latency.svg"));
            Assert.Equal(XName.Get("svg", "http://www.w3.org/2000/svg"), plot.Root!.Name);
            var timeline = Path.Combine(results, $"{scenario}-timeline.svg");
            if (File.Exists(timeline))
            {
                Assert.Equal(XName.Get("svg", "http://www.w3.org/2000/svg"), XDocument.Load(timeline).Root!.Name);
            }
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    /// <summary>Runs the built bench with <paramref name="arguments"/>: its exit code and everything it printed.</summary>
    private static async Task<(int ExitCode, string Output)> RunBenchAsync(IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        Assert.True(File.Exists(BenchDll), $"{BenchDll} is missing: make build builds it");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Layout.Root };
        start.ArgumentList.Add(BenchDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LAMINA_SHIM_BINARY"] = ShimBinary;
        var text = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (text) { text.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (text) { text.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (text)
            {
                Assert.Fail($"Lamina.Bench {string.Join(' ', arguments)} did not finish within {timeout.TotalMinutes:F0} min:\n{text}");
            }
        }

        // WaitForExitAsync returns after the output's end has been read.
        lock (text)
        {
            return (process.ExitCode, text.ToString());
        }
    }
}
