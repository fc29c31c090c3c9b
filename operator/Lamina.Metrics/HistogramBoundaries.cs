using System.Diagnostics.Metrics;
using System.Numerics;

namespace Lamina.Metrics;

/// <summary>Bucket upper bounds of a histogram: from the instrument's advice, else the configured defaults.</summary>
internal static class HistogramBoundaries
{
    /// <summary>Finite and strictly ascending; +Inf is implicit (the exporter always writes it).</summary>
    public static bool AreValid(IReadOnlyList<double>? boundaries)
    {
        if (boundaries is null)
        {
            return false;
        }

        for (var i = 0; i < boundaries.Count; i++)
        {
            if (!double.IsFinite(boundaries[i]) || (i > 0 && boundaries[i] <= boundaries[i - 1]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The advised boundaries when valid, otherwise <paramref name="defaults"/>.</summary>
    public static double[] For(Instrument instrument, IReadOnlyList<double> defaults)
    {
        var advised = instrument switch
        {
            Instrument<double> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<float> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<long> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<int> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<short> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<byte> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<decimal> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            _ => null,
        };
        if (advised is [.., double.PositiveInfinity])
        {
            advised = advised[..^1]; // the +Inf bucket is always written; advice may name it too
        }

        return AreValid(advised) ? advised! : [.. defaults];
    }

    private static double[]? ToDoubles<T>(IReadOnlyList<T>? values)
        where T : INumberBase<T>
    {
        if (values is null)
        {
            return null;
        }

        var result = new double[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = double.CreateSaturating(values[i]);
        }

        return result;
    }
}
