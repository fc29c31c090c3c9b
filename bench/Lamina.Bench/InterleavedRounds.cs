using Lamina.Bench.Reporting;

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
    /// Runs every series once to warm up (discarded), then <paramref name="rounds"/> times more in turn;
    /// returns each series' medians (of p50, p99 and rate, taken apart), with every measured round's
    /// samples pooled and the range of the rounds' p50s. bench-smoke runs one round and no warm-up round.
    /// </summary>
    public static async Task<Latency[]> RunAsync(IReadOnlyList<Func<Task<Latency>>> series, int rounds = Count, bool warmUpRound = true)
    {
        var results = new List<Latency>[series.Count];
        for (var round = warmUpRound ? 0 : 1; round <= rounds; round++)
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
            var measured = results[i];
            medians[i] = new Latency(Median(measured, l => l.P50), Median(measured, l => l.P99), Median(measured, l => l.PerSecond),
                [.. measured.SelectMany(l => l.Samples ?? [])], measured.Count,
                measured.Count > 1 ? new RepetitionRange(measured.Min(l => l.P50), measured.Max(l => l.P50)) : null);
        }

        return medians;
    }

    private static double Median(List<Latency> values, Func<Latency, double> field)
    {
        var sorted = values.Select(field).Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
