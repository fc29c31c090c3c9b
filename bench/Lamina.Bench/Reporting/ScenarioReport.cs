namespace Lamina.Bench.Reporting;

/// <summary>
/// Everything one scenario measured, as <c>bench/results/&lt;scenario&gt;.json</c> holds it: every series
/// of requests of each side (Lamina and its baselines), the ratios between them, the targets and
/// whether they were met, a timeline for the load scenarios, and the lines printed for people.
/// </summary>
internal sealed class ScenarioReport
{
    public List<SeriesResult> Series { get; } = [];

    public List<RatioResult> Ratios { get; } = [];

    public List<TargetResult> Targets { get; } = [];

    /// <summary>Desired and ready environments (and the offered rate) over time: the load scenarios fill it.</summary>
    public List<TimelinePoint> Timeline { get; } = [];

    /// <summary>The lines printed for people, in order (make bench prints them again in its summary).</summary>
    public List<string> Lines { get; } = [];

    /// <summary>Prints <paramref name="line"/> and keeps it for the summary and the JSON.</summary>
    public void Say(string line)
    {
        Console.WriteLine(line);
        Lines.Add(line);
    }
}

/// <summary>
/// One series of requests of one side in one case, e.g. case "c=4 payload=10B", side "lamina" or "B1 (YARP hop)".
/// </summary>
/// <param name="Case">The conditions (concurrency, payload, runtime...).</param>
/// <param name="Side">Lamina, or which baseline (B0 direct Kestrel, B1 one YARP hop, B2 runtime's own start, B3 bare pod, B4 API-server write, B5 bare XADD, B6 curl + unzip, B7 curl + sha256sum + unzip).</param>
/// <param name="Latency">Percentiles over every repetition's samples, in milliseconds.</param>
/// <param name="RequestsPerSecond">The rate achieved, when it means something for this series.</param>
/// <param name="Requests">How many were measured.</param>
/// <param name="Errors">How many failed (not counted in <see cref="Latency"/>).</param>
/// <param name="CpuSecondsPerRequest">CPU time this side's processes used per request, when measured.</param>
/// <param name="PeakRssMegabytes">Peak resident memory of this side's process, when measured.</param>
/// <param name="Repetitions">How many repetitions the series pools.</param>
/// <param name="P50Range">The lowest and highest p50 of single repetitions (the noise), when there were several.</param>
/// <param name="SamplesMs">The samples (at most <see cref="LatencySummary.MaximumKeptSamples"/>, evenly thinned) for the latency plot.</param>
internal sealed record SeriesResult(
    string Case,
    string Side,
    LatencySummary Latency,
    double? RequestsPerSecond,
    int Requests,
    int Errors,
    double? CpuSecondsPerRequest,
    double? PeakRssMegabytes,
    int Repetitions,
    RepetitionRange? P50Range,
    IReadOnlyList<double> SamplesMs);

/// <summary>p50, p95, p99 and max of a series in milliseconds.</summary>
internal sealed record LatencySummary(double P50, double P95, double P99, double Max)
{
    /// <summary>The plot needs a distribution, not every sample of a 100,000-request run.</summary>
    public const int MaximumKeptSamples = 2000;

    public static LatencySummary Of(IReadOnlyCollection<double> samplesMs)
    {
        ArgumentNullException.ThrowIfNull(samplesMs);
        if (samplesMs.Count == 0)
        {
            return new(double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var sorted = samplesMs.Order().ToArray();
        return new(At(sorted, 0.50), At(sorted, 0.95), At(sorted, 0.99), sorted[^1]);
    }

    /// <summary>At most <see cref="MaximumKeptSamples"/> of <paramref name="samplesMs"/>, evenly spaced in sorted order.</summary>
    public static IReadOnlyList<double> Thin(IReadOnlyCollection<double> samplesMs)
    {
        ArgumentNullException.ThrowIfNull(samplesMs);
        var sorted = samplesMs.Order().ToArray();
        if (sorted.Length <= MaximumKeptSamples)
        {
            return sorted;
        }

        return [.. Enumerable.Range(0, MaximumKeptSamples).Select(i => sorted[(int)((long)i * (sorted.Length - 1) / (MaximumKeptSamples - 1))])];
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    private static double At(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>The lowest and highest value of single repetitions.</summary>
internal sealed record RepetitionRange(double Min, double Max);

/// <summary>A ratio printed for people, e.g. "added warm p50 / one YARP hop" = 1.57.</summary>
internal sealed record RatioResult(string Name, double Value);

/// <summary>A performance target of docs/performance.md, the figure measured against it, and whether it was met.</summary>
/// <param name="Name">The target as docs/performance.md states it, e.g. "added warm p50 ≤ 1.0× one YARP hop".</param>
/// <param name="Value">The measured figure in the target's unit.</param>
/// <param name="Met">Whether it was met (never judged in bench-smoke runs, whose numbers mean nothing).</param>
internal sealed record TargetResult(string Name, double Value, bool Met);

/// <summary>One moment of a load scenario.</summary>
/// <param name="Seconds">Since the load began.</param>
/// <param name="Desired">Environments the autoscaler wants.</param>
/// <param name="Ready">Environments ready.</param>
/// <param name="OfferedPerSecond">The rate the load generator was sending at.</param>
internal sealed record TimelinePoint(double Seconds, int Desired, int Ready, double OfferedPerSecond);
