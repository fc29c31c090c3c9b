namespace Lamina.Bench;

/// <summary>
/// Every series measured in each of several rounds, interleaved, and reported by its median round: the
/// API server and the JIT settle during the first (discarded) round, and drift on a busy 2-core machine
/// falls on every series alike instead of on whichever came first.
/// </summary>
internal static class InterleavedRounds
{
    /// <summary>Measured rounds per series (after one warm-up round); odd, so the median is one of them.</summary>
    public const int Count = 5;

    /// <summary>
    /// Runs every series once to warm up (discarded), then <see cref="Count"/> times more in turn;
    /// returns each series' medians (of p50, p99 and rate, taken apart).
    /// </summary>
    public static async Task<Latency[]> RunAsync(IReadOnlyList<Func<Task<Latency>>> series)
    {
        var results = new List<Latency>[series.Count];
        for (var round = 0; round <= Count; round++)
        {
            for (var i = 0; i < series.Count; i++)
            {
                var latency = await series[i]();
                if (round > 0)
                {
                    (results[i] ??= []).Add(latency);
                }
            }
        }

        var medians = new Latency[series.Count];
        for (var i = 0; i < series.Count; i++)
        {
            medians[i] = new Latency(Median(results[i], l => l.P50), Median(results[i], l => l.P99), Median(results[i], l => l.PerSecond));
        }

        return medians;
    }

    private static double Median(List<Latency> values, Func<Latency, double> field)
    {
        var sorted = values.Select(field).Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
