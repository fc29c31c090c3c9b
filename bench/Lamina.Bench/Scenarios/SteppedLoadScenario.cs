using System.Collections.Concurrent;
using Lamina.Bench.Cluster;
using Lamina.Bench.Load;
using Lamina.Bench.Reporting;

namespace Lamina.Bench.Scenarios;

/// <summary>
/// <c>stepped-load</c> (Knative's load-test shape): a function at zero whose handler sleeps 100 ms, driven
/// open-loop at rates rising in steps (2, 5, 10, 20 requests a second; smoke 1, 2), each step S seconds
/// (the size; 20, smoke 3), half through each gateway. Latency is measured from each request's intended
/// send time, so the cold start and any lag of the autoscaler show as queueing. Per step: latency, answers,
/// throttles (429) and other errors; and the desired and ready environments every second, for the plot.
/// </summary>
internal sealed class SteppedLoadScenario : IScenario
{
    private const string Function = "stepped";

    /// <summary>The conformance function sleeps this long: at R requests a second, about R × 0.1 environments are busy.</summary>
    private const string Payload = """{"sleepMs":100}""";

    public string Name => "stepped-load";

    public string Summary => "open-loop load rising in steps on a function at zero (100 ms handler): per-step latency from the intended send time, errors and throttles, desired vs ready environments over time";

    public bool NeedsCluster => true;

    public async Task RunAsync(ScenarioRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var stepSeconds = run.SizeOr(20, 3);
        double[] rates = run.Smoke ? [1, 2] : [2, 5, 10, 20];
        RateStep[] schedule = [.. rates.Select(rate => new RateStep(rate, TimeSpan.FromSeconds(stepSeconds)))];
        var report = run.Report;
        report.Say($"== stepped-load: a function at zero with a 100 ms handler, open-loop at {string.Join(", ", rates)} requests/s, {stepSeconds} s each, through two gateways ==");

        await using var scope = await ClusterScope.StartAsync("bench-step-");
        await scope.CreateFunctionAsync(Function, "docker.io/lamina/example-provided:dev");
        await scope.WaitForNoPodsAsync(TimeSpan.FromMinutes(2));

        // What each answer was, by intended send order (the generator's samples are in that order too).
        var answers = new ConcurrentDictionary<int, string>();
        var sent = -1;
        var timeline = ClusterTimeline.Start(scope.Namespace.Client, scope.Name, Function, at => OfferedAt(schedule, at));
        var result = await OpenLoopLoad.RunAsync(async cancellationToken =>
        {
            var index = Interlocked.Increment(ref sent);
            var (status, body, _) = await scope.InvokeAsync(index % 2, Function, Payload, cancellationToken);
            var ok = status == 200 && !body.Contains("errorType", StringComparison.Ordinal);
            if (!ok)
            {
                answers[index] = status == 429 ? "429" : $"{status} {(body.Length <= 160 ? body : body[..160])}";
            }

            return ok;
        }, schedule, new OpenLoopOptions { MaximumInFlight = 512, RequestTimeout = TimeSpan.FromSeconds(60) });
        await timeline.DisposeAsync();
        var points = timeline.Points;
        report.Timeline.AddRange(points);

        var throttles = answers.Values.Count(a => a == "429");
        var start = TimeSpan.Zero;
        for (var i = 0; i < schedule.Length; i++)
        {
            var step = schedule[i];
            var end = start + step.Duration;
            var samples = result.Between(start, end).ToList();
            var ok = samples.Where(s => s.Outcome == OpenLoopOutcome.Ok).Select(s => s.LatencyMs).ToList();
            var errors = samples.Count - ok.Count;
            var summary = LatencySummary.Of(ok);
            var during = points.Where(p => p.Seconds >= start.TotalSeconds && p.Seconds < end.TotalSeconds).ToList();
            report.Series.Add(new SeriesResult($"step {i + 1}: {step.PerSecond:0.#}/s", "lamina", summary, ok.Count / step.Duration.TotalSeconds,
                ok.Count, errors, null, null, 1, null, LatencySummary.Thin(ok)));
            report.Say($"stepped-load step {i + 1} ({step.PerSecond:0.#}/s for {step.Duration.TotalSeconds:F0} s): {samples.Count} offered, {ok.Count} answered 200 ({ok.Count / step.Duration.TotalSeconds:F1}/s), {errors} errors; "
                + $"latency from the intended send p50 {summary.P50:F0} ms, p95 {summary.P95:F0} ms, p99 {summary.P99:F0} ms, max {summary.Max:F0} ms; "
                + $"environments desired {Range(during.Select(p => p.Desired))}, ready {Range(during.Select(p => p.Ready))}");
            start = end;
        }

        var firstReady = points.FirstOrDefault(p => p.Ready > 0);
        report.Say($"stepped-load: {result.Offered} offered in {result.Duration.TotalSeconds:F0} s, {result.Ok} answered 200, {result.Errors} errors of which {throttles} throttled (429) and {result.NotSent} not sent; "
            + $"first environment ready at {(firstReady is null ? "never" : $"{firstReady.Seconds:F0} s")}; peak desired {points.Select(p => p.Desired).DefaultIfEmpty().Max()}, peak ready {points.Select(p => p.Ready).DefaultIfEmpty().Max()}");
        foreach (var (error, count) in result.TopErrors())
        {
            report.Say($"stepped-load: error ×{count}: {error}");
        }

        foreach (var (answer, count) in answers.Values.Where(a => a != "429").GroupBy(a => a).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).Take(3))
        {
            report.Say($"stepped-load: answer ×{count}: {answer}");
        }
    }

    /// <summary>The schedule's rate at <paramref name="at"/> since the start (0 after its end).</summary>
    private static double OfferedAt(IReadOnlyList<RateStep> schedule, TimeSpan at)
    {
        var start = TimeSpan.Zero;
        foreach (var step in schedule)
        {
            if (at >= start && at < start + step.Duration)
            {
                return step.PerSecond;
            }

            start += step.Duration;
        }

        return 0;
    }

    private static string Range(IEnumerable<int> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? "–" : list.Min() == list.Max() ? $"{list.Min()}" : $"{list.Min()}–{list.Max()}";
    }
}
