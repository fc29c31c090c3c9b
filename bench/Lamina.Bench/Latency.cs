using Lamina.Bench.Reporting;

namespace Lamina.Bench;

/// <summary>
/// One series of requests: median and 99th-percentile latency in milliseconds, the rate achieved, and
/// the samples behind them (for the results file and its plot) when the series timed each request.
/// </summary>
/// <param name="P50">The median, in milliseconds.</param>
/// <param name="P99">The 99th percentile, in milliseconds.</param>
/// <param name="PerSecond">The rate achieved.</param>
/// <param name="Samples">Every sample in milliseconds (every round's, pooled, from <see cref="InterleavedRounds"/>).</param>
/// <param name="Rounds">How many repetitions the figures are the medians of.</param>
/// <param name="P50Range">The lowest and highest p50 of single rounds, when there were several.</param>
internal readonly record struct Latency(double P50, double P99, double PerSecond, IReadOnlyList<double>? Samples = null, int Rounds = 1, RepetitionRange? P50Range = null)
{
    /// <summary>This series as the results file holds it; <paramref name="requests"/> when it kept no samples (a rate only).</summary>
    public SeriesResult ToSeries(string @case, string side, int? requests = null, double? cpuSecondsPerRequest = null)
    {
        var samples = Samples ?? [];
        return new SeriesResult(@case, side, LatencySummary.Of(samples), PerSecond, requests ?? samples.Count, 0,
            cpuSecondsPerRequest, null, Rounds, P50Range, LatencySummary.Thin(samples));
    }
}
