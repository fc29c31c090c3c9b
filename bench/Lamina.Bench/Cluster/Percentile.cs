namespace Lamina.Bench.Cluster;

/// <summary>Nearest-rank percentiles of a sample, and how the cluster scenarios print them.</summary>
internal static class Percentile
{
    /// <summary>The value at <paramref name="fraction"/> (0.5, 0.95, 0.99) of <paramref name="values"/>, by nearest rank.</summary>
    public static double Of(IReadOnlyCollection<double> values, double fraction)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(fraction * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    /// <summary><c>p50 X ms, p95 Y ms</c>.</summary>
    public static string P50P95(IReadOnlyCollection<double> milliseconds) =>
        $"p50 {Of(milliseconds, 0.5):F0} ms, p95 {Of(milliseconds, 0.95):F0} ms";
}
