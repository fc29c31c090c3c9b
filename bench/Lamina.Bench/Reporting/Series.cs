namespace Lamina.Bench.Reporting;

/// <summary>A <see cref="SeriesResult"/> from the samples a scenario collected, for the common case.</summary>
internal static class Series
{
    public static SeriesResult Of(
        string @case,
        string side,
        IReadOnlyCollection<double> samplesMs,
        double? requestsPerSecond = null,
        int errors = 0,
        int repetitions = 1,
        double? peakRssMegabytes = null,
        double? cpuSecondsPerRequest = null) =>
        new(@case, side, LatencySummary.Of(samplesMs), requestsPerSecond, samplesMs.Count, errors, cpuSecondsPerRequest, peakRssMegabytes,
            repetitions, null, LatencySummary.Thin(samplesMs));
}
