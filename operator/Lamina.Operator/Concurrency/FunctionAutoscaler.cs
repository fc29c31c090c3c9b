using System.Globalization;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// Decides how many execution environments one function wants: Knative's KPA (stable and panic
/// windows) with one invocation per environment, so the target per environment is 1.
/// </summary>
/// <remarks>
/// <para>
/// Pure: no I/O and no clock of its own; every call is given the time. One per function, fed one
/// demand sample per <see cref="ConcurrencyOptions.Tick"/>. Not thread-safe: the controller calls it
/// from one place (its tick, under its lock).
/// </para>
/// <para>
/// The rules, in order:
/// <list type="number">
/// <item><b>Idle.</b> With nothing in flight or waiting and no activity for the function's
/// <c>scaling.idleSeconds</c>, or none at all since this autoscaler was made, the answer is 0 before
/// the bounds. Idle also ends panic mode: an idle function has no burst to ride out.</item>
/// <item><b>Panic.</b> Panic mode starts (or is re-triggered) when the panic window's average asks for
/// at least <see cref="ConcurrencyOptions.PanicThreshold"/> times the ready environments and for more
/// than are ready; it ends once a whole stable window has passed since the last trigger. In panic mode
/// the answer never falls below the current count.</item>
/// <item><b>Demand.</b> The answer is the largest of ceil(stable average), demand now (the "poke":
/// a waiting invocation gets an environment at once, not after an average catches up), and in panic
/// mode ceil(panic average) and the current count.</item>
/// <item><b>Warm until idle.</b> A function that is not idle keeps at least one environment while it
/// has one (max(answer, min(Current, 1))). Knative would follow the stable average down to zero a
/// minute after the last request, so a function invoked every two minutes would cold-start every
/// time although <c>idleSeconds</c> (300 s by default) promises Lambda's behaviour: an environment
/// stays warm until the function has been idle that long. Only one stays: the extra environments of a
/// burst still go as the stable average falls, instead of each lingering for <c>idleSeconds</c>.</item>
/// <item><b>Bounds.</b> The answer is raised to <see cref="ScaleInputs.Min"/> (provisioned
/// concurrency) and lowered to <see cref="ScaleInputs.Max"/>. The cap is hard: should Max ever be
/// below Min (a reservation lowered under provisioned concurrency before validation catches it),
/// Max wins, because the cap is what the concurrency guarantee rests on.</item>
/// </list>
/// </para>
/// </remarks>
internal sealed class FunctionAutoscaler
{
    /// <summary>Room beyond StableWindow / Tick for tick jitter (a late tick, then an on-time one) before the oldest sample is dropped.</summary>
    private const int SlackSamples = 4;

    /// <summary>A mean that is a whole number but for floating-point rounding (2.0000000000000004) must not ask for one more environment.</summary>
    private const double CeilingTolerance = 1e-9;

    private readonly TimeSpan stableWindow;
    private readonly long stableWindowTicks;
    private readonly long panicWindowTicks;
    private readonly double panicThreshold;
    private readonly double stableWindowSeconds;
    private readonly double panicWindowSeconds;
    private readonly int maxSamples;

    /// <summary>Samples in time order, none older than the stable window (16 bytes each: UTC ticks and the value).</summary>
    private readonly Queue<Sample> samples;

    /// <summary>When panic mode last started or was re-triggered (meaningful while <see cref="Panicking"/>).</summary>
    private DateTimeOffset panicTriggered;

    /// <summary>Makes an autoscaler with no samples and no activity.</summary>
    /// <exception cref="ArgumentException">A window or the tick is not positive, the panic window is longer than the stable window, or the panic threshold is not positive.</exception>
    public FunctionAutoscaler(ConcurrencyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Tick <= TimeSpan.Zero || options.PanicWindow <= TimeSpan.Zero || options.StableWindow < options.PanicWindow)
        {
            throw new ArgumentException(
                "The autoscaler needs 0 < Tick and 0 < PanicWindow <= StableWindow " +
                $"(Tick {options.Tick}, PanicWindow {options.PanicWindow}, StableWindow {options.StableWindow}).",
                nameof(options));
        }

        if (!(options.PanicThreshold > 0))
        {
            throw new ArgumentException($"The panic threshold must be positive, not {options.PanicThreshold}.", nameof(options));
        }

        // Copied: the options object is mutable, and the windows must not change under the samples.
        stableWindow = options.StableWindow;
        stableWindowTicks = options.StableWindow.Ticks;
        panicWindowTicks = options.PanicWindow.Ticks;
        panicThreshold = options.PanicThreshold;
        stableWindowSeconds = options.StableWindow.TotalSeconds;
        panicWindowSeconds = options.PanicWindow.TotalSeconds;
        maxSamples = (int)Math.Min(Math.Ceiling(options.StableWindow / options.Tick), int.MaxValue - SlackSamples) + SlackSamples;
        samples = new Queue<Sample>(maxSamples);
    }

    /// <summary>The last time there was activity (null: never since this autoscaler was made).</summary>
    public DateTimeOffset? LastActivity { get; private set; }

    /// <summary>True while in panic mode (after the last <see cref="Decide"/>).</summary>
    public bool Panicking { get; private set; }

    /// <summary>Samples held now: at most StableWindow / Tick plus a few, however long it runs.</summary>
    public int SampleCount => samples.Count;

    /// <summary>
    /// Records the function's observed concurrency (in flight + waiting, summed over gateways) at
    /// <paramref name="now"/>; called once per tick. A sample above 0 also counts as activity. A
    /// negative or NaN sample counts as 0. Samples older than the stable window are dropped, and so is
    /// the oldest sample when a caller records faster than once per tick: memory stays bounded, at the
    /// cost of a shorter window for such a caller.
    /// </summary>
    public void Record(DateTimeOffset now, double concurrency)
    {
        // NaN > 0 is false: NaN counts as 0 too. The cap keeps a sum of a window's samples finite.
        var value = concurrency > 0 ? Math.Min(concurrency, int.MaxValue) : 0;
        if (value > 0)
        {
            Touch(now);
        }

        Trim(now);
        if (samples.Count >= maxSamples)
        {
            samples.Dequeue();
        }

        samples.Enqueue(new Sample(now.UtcTicks, value));
    }

    /// <summary>Marks activity (an invocation started or a ticket arrived) without a sample, e.g. between ticks.</summary>
    public void Touch(DateTimeOffset now)
    {
        // Calls may arrive slightly out of order (a poke racing a tick): activity only moves forward.
        if (LastActivity is not { } last || now > last)
        {
            LastActivity = now;
        }
    }

    /// <summary>
    /// Decides the desired number of environments, provisioned ones included, from the samples and
    /// <paramref name="inputs"/>, and updates panic mode. Demand above 0 counts as activity at
    /// <paramref name="now"/>: something is in flight or waiting.
    /// </summary>
    public ScaleDecision Decide(DateTimeOffset now, ScaleInputs inputs)
    {
        var demand = Math.Max(inputs.Demand, 0);
        var ready = Math.Max(inputs.Ready, 0);
        var current = Math.Max(inputs.Current, 0);
        if (demand > 0)
        {
            Touch(now);
        }

        Trim(now);
        var (stableAverage, panicAverage) = Averages(now.UtcTicks);

        if (demand == 0 && IdleFor(now, inputs.IdleAfter) is { } idleReason)
        {
            Panicking = false;
            return Bound(0, idleReason, inputs);
        }

        var panicWanted = Ceiling(panicAverage);
        var overThreshold = panicWanted >= panicThreshold * Math.Max(ready, 1) && panicWanted > ready;
        if (overThreshold)
        {
            Panicking = true;
            panicTriggered = now;
        }
        else if (Panicking && now - panicTriggered >= stableWindow)
        {
            Panicking = false;
        }

        var stableWanted = Ceiling(stableAverage);
        var panicTerm = Panicking ? panicWanted : 0;
        var holdTerm = Panicking ? current : 0;
        var warmTerm = Math.Min(current, 1);
        var desired = Math.Max(Math.Max(Math.Max(stableWanted, demand), Math.Max(panicTerm, holdTerm)), warmTerm);

        // Name the rule that produced the answer; on a tie, the most direct cause first.
        string reason;
        if (desired == 0)
        {
            reason = "no demand";
        }
        else if (desired == demand)
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"demand {demand} now");
        }
        else if (desired == panicTerm)
        {
            reason = overThreshold
                ? string.Create(CultureInfo.InvariantCulture, $"panic: {panicWindowSeconds:0.###} s average {panicAverage:0.0} is at least {panicThreshold:0.##}x ready {ready}")
                : string.Create(CultureInfo.InvariantCulture, $"panic: {panicWindowSeconds:0.###} s average {panicAverage:0.0}");
        }
        else if (desired == stableWanted)
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"stable average {stableAverage:0.0} over {stableWindowSeconds:0.###} s");
        }
        else if (desired == holdTerm)
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"panic: no scale-down below {current}");
        }
        else
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"1 kept warm until idle for {inputs.IdleAfter.TotalSeconds:0.###} s");
        }

        return Bound(desired, reason, inputs);
    }

    /// <summary>The idle reason if the function is idle at <paramref name="now"/> (demand already known to be 0), else null.</summary>
    private string? IdleFor(DateTimeOffset now, TimeSpan idleAfter)
    {
        if (LastActivity is not { } last)
        {
            // Nobody has invoked it since the controller started: to the floor at once, not idleSeconds
            // after a restart of the operator.
            return "no activity since start";
        }

        var quiet = now - last;
        return quiet >= idleAfter ? string.Create(CultureInfo.InvariantCulture, $"idle for {Math.Floor(Math.Max(quiet.TotalSeconds, 0)):0} s") : null;
    }

    /// <summary>Applies the floor (<see cref="ScaleInputs.Min"/>) and the hard cap (<see cref="ScaleInputs.Max"/>, which wins over the floor).</summary>
    private static ScaleDecision Bound(int wanted, string reason, ScaleInputs inputs)
    {
        var min = Math.Max(inputs.Min, 0);
        var max = Math.Max(inputs.Max, 0);
        if (wanted > max)
        {
            return new ScaleDecision(max, string.Create(CultureInfo.InvariantCulture, $"capped at {max} ({reason})"));
        }

        if (wanted < min)
        {
            return min <= max
                ? new ScaleDecision(min, string.Create(CultureInfo.InvariantCulture, $"provisioned floor {min} ({reason})"))
                : new ScaleDecision(max, string.Create(CultureInfo.InvariantCulture, $"provisioned floor {min} capped at {max} ({reason})"));
        }

        return new ScaleDecision(wanted, reason);
    }

    /// <summary>Drops samples that have left the stable window: time at or before now - StableWindow.</summary>
    private void Trim(DateTimeOffset now)
    {
        var cutoff = now.UtcTicks - stableWindowTicks;
        while (samples.TryPeek(out var oldest) && oldest.Time <= cutoff)
        {
            samples.Dequeue();
        }
    }

    /// <summary>Means of the samples in (now - window, now] for both windows; 0 for a window without samples.</summary>
    private (double Stable, double Panic) Averages(long now)
    {
        var stableFrom = now - stableWindowTicks;
        var panicFrom = now - panicWindowTicks;
        double stableSum = 0, panicSum = 0;
        int stableCount = 0, panicCount = 0;
        foreach (var sample in samples)
        {
            if (sample.Time > now || sample.Time <= stableFrom)
            {
                continue;
            }

            stableSum += sample.Value;
            stableCount++;
            if (sample.Time > panicFrom)
            {
                panicSum += sample.Value;
                panicCount++;
            }
        }

        return (stableCount == 0 ? 0 : stableSum / stableCount, panicCount == 0 ? 0 : panicSum / panicCount);
    }

    /// <summary>Environments for an average at one invocation per environment.</summary>
    private static int Ceiling(double average) =>
        average <= 0 ? 0 : average >= int.MaxValue ? int.MaxValue : (int)Math.Ceiling(average - CeilingTolerance);

    /// <summary>One demand sample: <see cref="DateTimeOffset.UtcTicks"/> and the observed concurrency.</summary>
    private readonly record struct Sample(long Time, double Value);
}

/// <summary>What the autoscaler needs to know besides the samples, at the moment it decides.</summary>
/// <param name="Demand">Invocations in flight + waiting right now (including tickets pending at the controller).</param>
/// <param name="Ready">Environments ready now.</param>
/// <param name="Current">The desired count decided last time (what the Deployments are scaled to).</param>
/// <param name="Min">Provisioned concurrency: the floor.</param>
/// <param name="Max">The cap: reserved concurrency, or the pool's room; never below <paramref name="Min"/> (if it is, the cap wins).</param>
/// <param name="IdleAfter">The function's <c>scaling.idleSeconds</c>.</param>
internal readonly record struct ScaleInputs(int Demand, int Ready, int Current, int Min, int Max, TimeSpan IdleAfter);

/// <summary>
/// Desired environments (provisioned ones included) and a short human reason, e.g. "demand 12 now",
/// "stable average 3.4 over 60 s", "idle for 300 s", "capped at 10 (demand 12 now)",
/// "provisioned floor 2 (idle for 300 s)".
/// </summary>
internal sealed record ScaleDecision(int Desired, string Reason);
