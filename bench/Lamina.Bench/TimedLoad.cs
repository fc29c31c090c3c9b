using System.Diagnostics;

namespace Lamina.Bench;

/// <summary>
/// <see cref="HttpLoad"/> for any operation, with every operation timed at any concurrency: several
/// callers run it at once until <c>count</c> operations are done, and the answer is the p50 and p99 of
/// each one's latency and the rate achieved. Used where an HTTP request and a Redis command are
/// measured alike.
/// </summary>
internal static class TimedLoad
{
    /// <summary>
    /// A warm-up as <see cref="HttpLoad.SequentialAsync"/>'s (a fifth of <paramref name="count"/>, at most
    /// 200, and at least <paramref name="warmUp"/> long) with the same concurrency, then
    /// <paramref name="count"/> operations by <paramref name="callers"/> callers at once.
    /// </summary>
    public static async Task<Latency> RunAsync(Func<Task> operation, int count, int callers, TimeSpan warmUp)
    {
        var warming = Stopwatch.StartNew();
        do
        {
            await RunAsync(operation, Math.Min(200, count / 5 + 1), callers);
        }
        while (warming.Elapsed < warmUp);

        var total = Stopwatch.StartNew();
        var samples = await RunAsync(operation, count, callers);
        var seconds = total.Elapsed.TotalSeconds;
        Array.Sort(samples);
        return new Latency(samples[samples.Length / 2], samples[Math.Min(samples.Length - 1, (int)(samples.Length * 0.99))], count / seconds, samples);
    }

    private static async Task<double[]> RunAsync(Func<Task> operation, int count, int callers)
    {
        var samples = new double[count];
        var next = -1;
        var loops = new Task[callers];
        for (var c = 0; c < callers; c++)
        {
            loops[c] = Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
                {
                    var one = Stopwatch.GetTimestamp();
                    await operation();
                    samples[i] = Stopwatch.GetElapsedTime(one).TotalMilliseconds;
                }
            });
        }

        await Task.WhenAll(loops);
        return samples;
    }
}
