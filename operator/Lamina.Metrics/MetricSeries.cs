namespace Lamina.Metrics;

/// <summary>
/// The running value of one label set of one metric. Every update is a single interlocked
/// operation, so concurrent recording from any number of threads loses nothing.
/// </summary>
internal sealed class MetricSeries(string labels, int bucketCount)
{
    // Integer measurements are summed exactly in a long; floating ones in a double. A series sees
    // both only when instruments of different numeric types share a metric name.
    private long _integral;
    private double _floating;
    private readonly long[] _buckets = bucketCount > 0 ? new long[bucketCount] : [];

    /// <summary>The rendered label set, <c>a="x",b="y"</c>, or empty.</summary>
    public string Labels { get; } = labels;

    public double Value => Volatile.Read(ref _integral) + Volatile.Read(ref _floating);

    public void Add(long value) => Interlocked.Add(ref _integral, value);

    public void Add(double value) => AddToFloating(value);

    public void Set(double value) => Interlocked.Exchange(ref _floating, value);

    /// <summary>Counts <paramref name="value"/> into the first bucket whose bound is ≥ it (the last one is +Inf).</summary>
    public void Observe(double value, double[] bounds)
    {
        if (double.IsNaN(value))
        {
            return; // a NaN would poison _sum forever and belongs in no bucket
        }

        var index = bounds.AsSpan().BinarySearch(value);
        Interlocked.Increment(ref _buckets[index >= 0 ? index : ~index]);
        AddToFloating(value);
    }

    /// <summary>Per-bucket counts (not cumulative) and their total; _count is computed from the buckets so it always equals the +Inf bucket.</summary>
    public (long[] Buckets, long Count, double Sum) HistogramSnapshot()
    {
        var copy = new long[_buckets.Length];
        long count = 0;
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Volatile.Read(ref _buckets[i]);
            count += copy[i];
        }

        return (copy, count, Volatile.Read(ref _floating));
    }

    private void AddToFloating(double value)
    {
        var current = Volatile.Read(ref _floating);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref _floating, current + value, current);
            // Compare bits, not values: NaN never equals itself and would spin forever.
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = seen;
        }
    }
}
