using System.Diagnostics;

namespace Lamina.Bench.Load;

/// <summary>
/// An open-loop load generator: requests are sent at a fixed schedule of rates whether or not earlier
/// ones were answered, and each latency is measured from the request's <em>intended</em> send time, so a
/// target that falls behind shows its queueing in the latencies (no coordinated omission).
/// </summary>
/// <remarks>
/// <para>Use:</para>
/// <code>
/// var result = await OpenLoopLoad.RunAsync(
///     async ct => { using var r = await client.SendAsync(HttpLoad.Post(uri, payload), ct); return r.IsSuccessStatusCode; },
///     [new RateStep(PerSecond: 200, Duration: TimeSpan.FromSeconds(10)), new RateStep(800, TimeSpan.FromSeconds(10))],
///     new OpenLoopOptions { MaximumInFlight = 512 });
/// var p50 = LatencySummary.Of(result.OkLatenciesMs()).P50;
/// </code>
/// <para>
/// One request is a <c>Func&lt;CancellationToken, Task&lt;bool&gt;&gt;</c>: true when it succeeded, false or an
/// exception when it failed; the token fires at <see cref="OpenLoopOptions.RequestTimeout"/> or when the
/// run is cancelled. A request that cannot be sent on time because <see cref="OpenLoopOptions.MaximumInFlight"/>
/// are still unanswered is not sent and counts as an error (<see cref="OpenLoopOutcome.NotSent"/>): the bound
/// keeps a stalled target from exhausting this machine, and the error keeps it from hiding.
/// </para>
/// <para>
/// Scheduling: one dedicated thread watches <see cref="Stopwatch"/> and, each time round, hands every request
/// now due to the thread pool (a batch when it woke late), then sleeps 1 ms when the next one is more than
/// 2 ms away and spins otherwise. A timer (PeriodicTimer, Task.Delay) ticks too coarsely for rates in the
/// thousands per second.
/// </para>
/// </remarks>
internal static class OpenLoopLoad
{
    /// <summary>Sends at <paramref name="perSecond"/> for <paramref name="duration"/>.</summary>
    public static Task<OpenLoopResult> RunAsync(
        Func<CancellationToken, Task<bool>> request, double perSecond, TimeSpan duration, OpenLoopOptions? options = null, CancellationToken cancellationToken = default) =>
        RunAsync(request, [new RateStep(perSecond, duration)], options, cancellationToken);

    /// <summary>Sends at each step's rate for its duration, the steps one after the other (stepped load).</summary>
    public static async Task<OpenLoopResult> RunAsync(
        Func<CancellationToken, Task<bool>> request, IReadOnlyList<RateStep> schedule, OpenLoopOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(schedule);
        options ??= new OpenLoopOptions();
        var intended = IntendedTimes(schedule);
        var run = new Run(request, intended, options, cancellationToken);
        await run.ExecuteAsync();
        return new OpenLoopResult(schedule, run.Samples);
    }

    /// <summary>Every request's intended send time (Stopwatch ticks after the start), step by step, evenly spaced in each step.</summary>
    private static long[] IntendedTimes(IReadOnlyList<RateStep> schedule)
    {
        var times = new List<long>();
        var stepStart = 0.0;
        foreach (var step in schedule)
        {
            if (step.PerSecond < 0 || step.Duration < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(schedule), step, "a step's rate and duration must not be negative");
            }

            var seconds = step.Duration.TotalSeconds;
            if (step.PerSecond > 0)
            {
                var count = (long)Math.Floor(step.PerSecond * seconds);
                for (long j = 0; j < count; j++)
                {
                    times.Add((long)((stepStart + j / step.PerSecond) * Stopwatch.Frequency));
                }
            }

            stepStart += seconds;
        }

        return [.. times];
    }

    private sealed class Run(Func<CancellationToken, Task<bool>> request, long[] intended, OpenLoopOptions options, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _start;
        private int _inFlight;

        /// <summary>Outstanding: the scheduler's own count (1) plus every request sent and not yet finished.</summary>
        private int _outstanding = 1;

        public OpenLoopSample[] Samples { get; } = new OpenLoopSample[intended.Length];

        public async Task ExecuteAsync()
        {
            var scheduler = new Thread(Schedule) { IsBackground = true, Name = "open-loop scheduler", Priority = ThreadPriority.AboveNormal };
            _start = Stopwatch.GetTimestamp();
            scheduler.Start();
            await _allDone.Task;
        }

        private void Schedule()
        {
            var next = 0;
            var spinner = default(SpinWait);
            while (next < intended.Length)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    for (; next < intended.Length; next++)
                    {
                        Samples[next] = new OpenLoopSample(Ticks(intended[next]), 0, OpenLoopOutcome.NotSent, "cancelled");
                    }

                    break;
                }

                var now = Stopwatch.GetTimestamp() - _start;
                for (; next < intended.Length && intended[next] <= now; next++)
                {
                    if (Volatile.Read(ref _inFlight) >= options.MaximumInFlight)
                    {
                        Samples[next] = new OpenLoopSample(Ticks(intended[next]), 0, OpenLoopOutcome.NotSent, $"{options.MaximumInFlight} requests in flight");
                        continue;
                    }

                    Interlocked.Increment(ref _inFlight);
                    Interlocked.Increment(ref _outstanding);
                    ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.run.SendAsync(state.index), (run: this, index: next), preferLocal: false);
                }

                if (next >= intended.Length)
                {
                    break;
                }

                var wait = intended[next] - (Stopwatch.GetTimestamp() - _start);
                if (wait > 2 * Stopwatch.Frequency / 1000)
                {
                    Thread.Sleep(1);
                    spinner.Reset();
                }
                else if (wait > 0)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }
            }

            Finish();
        }

        private async Task SendAsync(int index)
        {
            var intendedAt = _start + intended[index];
            OpenLoopSample sample;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.RequestTimeout);
                try
                {
                    var ok = await request(timeout.Token).ConfigureAwait(false);
                    sample = new OpenLoopSample(Ticks(intended[index]), Milliseconds(intendedAt), ok ? OpenLoopOutcome.Ok : OpenLoopOutcome.Failed, ok ? null : "failed");
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    sample = new OpenLoopSample(Ticks(intended[index]), Milliseconds(intendedAt), OpenLoopOutcome.TimedOut, $"no answer within {options.RequestTimeout.TotalSeconds:F0} s");
                }
            }
#pragma warning disable CA1031 // Any failure of one request is that request's error, recorded, never the run's.
            catch (Exception e)
#pragma warning restore CA1031
            {
                sample = new OpenLoopSample(Ticks(intended[index]), Milliseconds(intendedAt), OpenLoopOutcome.Failed, $"{e.GetType().Name}: {e.Message}");
            }

            Samples[index] = sample;
            Interlocked.Decrement(ref _inFlight);
            Finish();
        }

        private void Finish()
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
            {
                _allDone.TrySetResult();
            }
        }

        private static double Milliseconds(long since) => Stopwatch.GetElapsedTime(since).TotalMilliseconds;

        private static TimeSpan Ticks(long stopwatchTicks) => TimeSpan.FromSeconds((double)stopwatchTicks / Stopwatch.Frequency);
    }
}

/// <summary>One step of a schedule: <paramref name="PerSecond"/> requests a second, evenly spaced, for <paramref name="Duration"/>.</summary>
internal readonly record struct RateStep(double PerSecond, TimeSpan Duration);

/// <summary>The bounds of an open-loop run.</summary>
internal sealed record OpenLoopOptions
{
    /// <summary>Requests sent and not yet answered, at most; one due beyond it is not sent (an error). 1024 holds a 10 k/s rate with 100 ms latencies.</summary>
    public int MaximumInFlight { get; init; } = 1024;

    /// <summary>How long one request may take before it is cancelled and counted as timed out.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>What became of one request.</summary>
internal enum OpenLoopOutcome
{
    /// <summary>The request succeeded.</summary>
    Ok,

    /// <summary>The request returned false or threw.</summary>
    Failed,

    /// <summary>The request had no answer within <see cref="OpenLoopOptions.RequestTimeout"/>.</summary>
    TimedOut,

    /// <summary>The request was never sent: too many in flight at its send time, or the run was cancelled.</summary>
    NotSent,
}

/// <summary>One request of an open-loop run.</summary>
/// <param name="Intended">When it was due, since the run began.</param>
/// <param name="LatencyMs">From <paramref name="Intended"/> to its answer (or failure), in milliseconds; 0 when not sent.</param>
/// <param name="Outcome">What became of it.</param>
/// <param name="Error">Why it failed, or null.</param>
internal readonly record struct OpenLoopSample(TimeSpan Intended, double LatencyMs, OpenLoopOutcome Outcome, string? Error);

/// <summary>Every request of an open-loop run, in intended order, and figures over them.</summary>
internal sealed class OpenLoopResult(IReadOnlyList<RateStep> schedule, IReadOnlyList<OpenLoopSample> samples)
{
    public IReadOnlyList<RateStep> Schedule { get; } = schedule;

    public IReadOnlyList<OpenLoopSample> Samples { get; } = samples;

    /// <summary>The schedule's length.</summary>
    public TimeSpan Duration { get; } = schedule.Aggregate(TimeSpan.Zero, (sum, step) => sum + step.Duration);

    public int Offered => Samples.Count;

    public int Ok => Samples.Count(s => s.Outcome == OpenLoopOutcome.Ok);

    /// <summary>Failed, timed out and not sent.</summary>
    public int Errors => Offered - Ok;

    public int NotSent => Samples.Count(s => s.Outcome == OpenLoopOutcome.NotSent);

    /// <summary>Successful requests per second of the schedule.</summary>
    public double OkPerSecond => Duration > TimeSpan.Zero ? Ok / Duration.TotalSeconds : 0;

    /// <summary>The latencies of the successful requests, in milliseconds from their intended send time.</summary>
    public double[] OkLatenciesMs() => [.. Samples.Where(s => s.Outcome == OpenLoopOutcome.Ok).Select(s => s.LatencyMs)];

    /// <summary>The requests intended in [<paramref name="from"/>, <paramref name="to"/>): one window of a stepped run.</summary>
    public IEnumerable<OpenLoopSample> Between(TimeSpan from, TimeSpan to) => Samples.Where(s => s.Intended >= from && s.Intended < to);

    /// <summary>The rate the schedule offers at <paramref name="at"/> since the start (0 after its end).</summary>
    public double OfferedPerSecondAt(TimeSpan at)
    {
        var start = TimeSpan.Zero;
        foreach (var step in Schedule)
        {
            if (at >= start && at < start + step.Duration)
            {
                return step.PerSecond;
            }

            start += step.Duration;
        }

        return 0;
    }

    /// <summary>The most common errors, with their counts, for a line of output.</summary>
    public IReadOnlyList<(string Error, int Count)> TopErrors(int count = 3) =>
        [.. Samples.Where(s => s.Error is not null).GroupBy(s => s.Error!).OrderByDescending(g => g.Count()).Take(count).Select(g => (g.Key, g.Count()))];
}
