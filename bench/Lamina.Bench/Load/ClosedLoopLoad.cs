using System.Diagnostics;

namespace Lamina.Bench.Load;

/// <summary>
/// A closed-loop load: <c>callers</c> loops, each sending its next request when its last one is
/// answered, until <c>count</c> requests are done. Each latency is the request's own (send to answer):
/// the figure for "how long does one take", never for a target under more load than it can take
/// (<see cref="OpenLoopLoad"/> is for that). A failed request is counted, not timed, and the run goes on.
/// </summary>
internal static class ClosedLoopLoad
{
    /// <summary>
    /// <paramref name="count"/> requests by <paramref name="callers"/> loops; <paramref name="request"/> gets the
    /// caller's index (0 to callers − 1, so a caller can keep to one target) and returns true when it succeeded.
    /// </summary>
    public static async Task<ClosedLoopResult> RunAsync(Func<int, CancellationToken, Task<bool>> request, int count, int callers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var samples = new double[count];
        var failed = new bool[count];
        var errors = new List<string>();
        var next = -1;
        var total = Stopwatch.StartNew();
        var loops = new Task[callers];
        for (var c = 0; c < callers; c++)
        {
            var caller = c;
            loops[c] = Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
                {
                    var one = Stopwatch.GetTimestamp();
                    try
                    {
                        failed[i] = !await request(caller, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is HttpRequestException or InvalidOperationException or IOException or TaskCanceledException)
                    {
                        failed[i] = true;
                        lock (errors)
                        {
                            errors.Add($"{e.GetType().Name}: {e.Message}");
                        }
                    }

                    samples[i] = Stopwatch.GetElapsedTime(one).TotalMilliseconds;
                }
            }, cancellationToken);
        }

        await Task.WhenAll(loops);
        var elapsed = total.Elapsed;
        var ok = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            if (!failed[i])
            {
                ok.Add(samples[i]);
            }
        }

        return new ClosedLoopResult(ok, count - ok.Count, elapsed, errors);
    }

    /// <summary>Runs <paramref name="request"/> as <see cref="RunAsync"/> does until <paramref name="duration"/> has passed (a warm-up), at least <paramref name="minimum"/> requests.</summary>
    public static async Task WarmUpAsync(Func<int, CancellationToken, Task<bool>> request, int callers, TimeSpan duration, int minimum)
    {
        var warming = Stopwatch.StartNew();
        do
        {
            await RunAsync(request, Math.Max(minimum, callers), callers);
        }
        while (warming.Elapsed < duration);
    }
}

/// <summary>A closed-loop run: the successful requests' latencies in milliseconds, the failures, and how long it took.</summary>
internal sealed record ClosedLoopResult(IReadOnlyList<double> OkLatenciesMs, int Errors, TimeSpan Elapsed, IReadOnlyList<string> ErrorMessages)
{
    /// <summary>Successful requests per second.</summary>
    public double OkPerSecond => OkLatenciesMs.Count / Elapsed.TotalSeconds;
}
