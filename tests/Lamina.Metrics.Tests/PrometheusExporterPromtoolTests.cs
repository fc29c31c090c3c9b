using System.Diagnostics;
using System.Diagnostics.Metrics;
using Lamina.Testing;

namespace Lamina.Metrics.Tests;

/// <summary>
/// Prometheus' own linter reads a realistic exposition. promtool comes with Debian's
/// <c>prometheus</c> package; without it this test fails, never skips.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class PrometheusExporterPromtoolTests
{
    /// <summary>promtool answers in well under a second; the bound only stops a hung process from hanging the run.</summary>
    private static readonly TimeSpan PromtoolTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Scrape_RealisticMetrics_PassesPromtoolCheckMetrics()
    {
        var promtool = FindOnPath("promtool")
            ?? throw new InvalidOperationException("promtool is not installed: run `apt-get install -y prometheus` (Debian's package provides /usr/bin/promtool); this test checks the exposition with it");
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        RecordRealisticMetrics(meter);

        var (exitCode, output) = await RunAsync(promtool, "check metrics", exporter.Scrape());

        Assert.True(exitCode == 0, $"promtool check metrics exited with {exitCode}:\n{output}");
    }

    private static void RecordRealisticMetrics(Meter meter)
    {
        var invocations = meter.CreateCounter<long>("lamina_invocations_total", description: "Invocations of a function, like Lambda's Invocations metric.");
        var errors = meter.CreateCounter<long>("lamina_errors_total", description: "Invocations that failed.");
        var duration = meter.CreateHistogram("lamina_duration_seconds", unit: "s", description: "Time a function's handler ran.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.05, 0.5, 5, 60, 900] });
        var concurrent = meter.CreateUpDownCounter<int>("lamina_concurrent_executions", description: "Invocations running now.");
        meter.CreateObservableGauge("lamina_provisioned_concurrent_executions",
            () => new Measurement<int>(2, new KeyValuePair<string, object?>("function", "hello")), description: "Provisioned execution environments.");
        meter.CreateGauge<double>("lamina_provisioned_concurrency_utilization", description: "Share of provisioned environments busy.")
            .Record(double.NaN, new KeyValuePair<string, object?>("function", "idle"));

        foreach (var (function, type) in new[] { ("hello", "RequestResponse"), ("hello", "Event"), ("with \"quotes\"\\ and\nnewline", "RequestResponse") })
        {
            invocations.Add(3, new("namespace", "default"), new("function", function), new("invocation_type", type));
            errors.Add(1, new("namespace", "default"), new("function", function), new("error_type", "Unhandled"));
            duration.Record(0.042, new("namespace", "default"), new("function", function));
            duration.Record(1200, new("namespace", "default"), new("function", function));
            concurrent.Add(1, new("namespace", "default"), new("function", function));
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string arguments, string input)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(PromtoolTimeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr + "\n--- input ---\n" + input);
    }

    private static string? FindOnPath(string program)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
