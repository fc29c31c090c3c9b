using System.Diagnostics;
using Lamina.Bench.Reporting;

namespace Lamina.Bench.Cluster;

/// <summary>
/// <c>burst</c>: 1, 5 and 25 functions at zero invoked at once (one invocation each, through both
/// gateways alternately), against as many bare pods from the same template created at once (B3): the
/// time until every invocation was answered, and each one's latency.
/// </summary>
internal sealed class BurstBenchmark : IScenario
{
    private const string Image = "docker.io/lamina/example-node:dev";

    private static readonly int[] FullSizes = [1, 5, 25];

    /// <summary>bench-smoke's: one function, which takes every path of the larger bursts.</summary>
    private static readonly int[] SmokeSizes = [1];

    public string Name => "burst";

    public string Summary => "on the local cluster: 1, 5 and 25 functions at zero invoked at once (N repetitions) vs as many bare pods created at once (B3)";

    public bool NeedsCluster => true;

    public async Task RunAsync(ScenarioRun run)
    {
        var report = run.Report;
        var repetitions = run.SizeOr(2, 1);
        var sizes = run.Smoke ? SmokeSizes : FullSizes;
        Console.WriteLine($"== burst: {string.Join(", ", sizes)} functions from zero at once ({repetitions} repetitions), against as many bare pods at once ==");
        await using var scope = await ClusterScope.StartAsync("bench-burst-");
        await using var timeline = PodTimeline.Start(scope.Namespace.Client, scope.Name);
        var largest = sizes.Max();
        for (var j = 0; j < largest; j++)
        {
            await scope.CreateFunctionAsync($"burst-{j}", Image, "index.handler");
        }

        foreach (var size in sizes)
        {
            var laminaAll = new List<double>();
            var laminaEach = new List<double>();
            var bareAll = new List<double>();
            var bareEach = new List<double>();
            for (var repetition = 0; repetition < repetitions; repetition++)
            {
                var started = Stopwatch.GetTimestamp();
                var calls = await Task.WhenAll(Enumerable.Range(0, size).Select(j => scope.InvokeAsync(j % 2, $"burst-{j}", """{"bench":"burst"}""")));
                laminaAll.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                foreach (var (status, body, elapsed) in calls)
                {
                    if (status != 200)
                    {
                        throw new InvalidOperationException($"bench: a burst invocation answered {status}: {body}");
                    }

                    laminaEach.Add(elapsed.TotalMilliseconds);
                }

                await scope.WaitForNoPodsAsync(TimeSpan.FromMinutes(3));

                var names = Enumerable.Range(0, size).Select(j => $"bare-{size}-{repetition}-{j}").ToList();
                var templates = await Task.WhenAll(names.Select(name => BarePod.FromFunctionAsync(scope, "burst-0", name)));
                started = Stopwatch.GetTimestamp();
                var bare = await Task.WhenAll(templates.Select(pod => BarePod.StartAndInvokeAsync(scope, timeline, pod)));
                bareAll.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                bareEach.AddRange(bare.Select(start => start.Total));
                await Task.WhenAll(names.Select(name => BarePod.DeleteAsync(scope, name)));
                await scope.WaitForNoPodsAsync(TimeSpan.FromMinutes(3));
            }

            var ratio = Percentile.Of(laminaAll, 0.5) / Percentile.Of(bareAll, 0.5);
            report.Series.Add(Series.Of($"burst {size}: each invocation", "lamina", laminaEach, repetitions: repetitions));
            report.Series.Add(Series.Of($"burst {size}: each invocation", "B3 bare pod", bareEach, repetitions: repetitions));
            report.Series.Add(Series.Of($"burst {size}: all answered", "lamina", laminaAll, repetitions: repetitions));
            report.Series.Add(Series.Of($"burst {size}: all answered", "B3 bare pod", bareAll, repetitions: repetitions));
            report.Ratios.Add(new RatioResult($"burst {size}: all answered, Lamina / bare pods at p50", ratio));
            report.Say($"burst {size}: all answered after {Percentile.Of(laminaAll, 0.5):F0} ms (p50 of {repetitions} by nearest rank; min {laminaAll.Min():F0}, max {laminaAll.Max():F0}), each {Percentile.P50P95(laminaEach)}; {size} bare pods at once: all answered after {Percentile.Of(bareAll, 0.5):F0} ms (min {bareAll.Min():F0}, max {bareAll.Max():F0}), each {Percentile.P50P95(bareEach)}; Lamina / bare {ratio:F2}x");
        }
    }
}
