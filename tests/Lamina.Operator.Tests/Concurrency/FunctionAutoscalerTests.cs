using Lamina.Operator.Concurrency;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Concurrency;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class FunctionAutoscalerTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan IdleSeconds = TimeSpan.FromSeconds(300);

    /// <summary>Nothing in flight, nothing ready, no floor, a cap far away, Lambda's default idle time.</summary>
    private static readonly ScaleInputs Quiet = new(Demand: 0, Ready: 0, Current: 0, Min: 0, Max: 1000, IdleAfter: IdleSeconds);

    private static FunctionAutoscaler NewAutoscaler() => new(new ConcurrencyOptions());

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    /// <summary>Records <paramref name="value"/> once a second at seconds <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    private static void Feed(FunctionAutoscaler autoscaler, int from, int to, double value)
    {
        for (var second = from; second <= to; second++)
        {
            autoscaler.Record(At(second), value);
        }
    }

    // Never invoked, floor, poke

    [Fact]
    public void Decide_NeverInvokedNoDemand_Zero()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 0, 10, 0);

        var decision = autoscaler.Decide(At(10), Quiet);

        Assert.Equal(new ScaleDecision(0, "no activity since start"), decision);
        Assert.Null(autoscaler.LastActivity);
    }

    [Fact]
    public void Decide_NeverInvokedWithoutSamples_Zero() =>
        Assert.Equal(0, NewAutoscaler().Decide(T0, Quiet with { Current = 3 }).Desired);

    [Fact]
    public void Decide_NeverInvokedWithProvisioned_ProvisionedFloor()
    {
        var decision = NewAutoscaler().Decide(T0, Quiet with { Min = 2 });

        Assert.Equal(new ScaleDecision(2, "provisioned floor 2 (no activity since start)"), decision);
    }

    [Fact]
    public void Decide_DemandWithoutSamples_ScalesUpAtOnce()
    {
        var autoscaler = NewAutoscaler();

        var decision = autoscaler.Decide(T0, Quiet with { Demand = 12 });

        Assert.Equal(new ScaleDecision(12, "demand 12 now"), decision);
    }

    [Fact]
    public void Decide_DemandAboveStableAverage_DemandWins()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 0, 59, 1);

        var decision = autoscaler.Decide(At(59), Quiet with { Demand = 3, Ready = 1, Current = 1 });

        Assert.Equal(new ScaleDecision(3, "demand 3 now"), decision);
        Assert.False(autoscaler.Panicking);
    }

    [Fact]
    public void Decide_DemandAboveZero_CountsAsActivity()
    {
        var autoscaler = NewAutoscaler();

        autoscaler.Decide(At(5), Quiet with { Demand = 1 });

        Assert.Equal(At(5), autoscaler.LastActivity);
    }

    // Stable window

    [Fact]
    public void Decide_SteadyLoad_StableAverageOverWindow()
    {
        var autoscaler = NewAutoscaler();
        // 60 samples in (0, 60]: 24 of 4 and 36 of 3, a mean of 3.4.
        Feed(autoscaler, 1, 24, 4);
        Feed(autoscaler, 25, 60, 3);

        var decision = autoscaler.Decide(At(60), Quiet with { Demand = 2, Ready = 4, Current = 4 });

        Assert.Equal(new ScaleDecision(4, "stable average 3.4 over 60 s"), decision);
        Assert.False(autoscaler.Panicking);
    }

    [Fact]
    public void Decide_LoadFalls_FollowsStableAverageDown()
    {
        var autoscaler = NewAutoscaler();
        var steady = Quiet with { Demand = 2, Ready = 10, Current = 10 };
        Feed(autoscaler, 1, 60, 10);
        Feed(autoscaler, 61, 90, 2);

        // Half the window at 10, half at 2: a mean of 6, not the 2 of the last samples.
        Assert.Equal(6, autoscaler.Decide(At(90), steady).Desired);

        Feed(autoscaler, 91, 120, 2);

        Assert.Equal(new ScaleDecision(2, "demand 2 now"), autoscaler.Decide(At(120), steady with { Current = 6 }));
    }

    [Fact]
    public void Decide_SampleExactlyOneWindowOld_Excluded()
    {
        var autoscaler = NewAutoscaler();
        autoscaler.Record(At(0), 10);
        Feed(autoscaler, 1, 59, 0);
        var inputs = Quiet with { Ready = 1, Current = 1 };

        // The window is (now - 60 s, now]: the sample at 0 s is in at 59 s, out at 60 s.
        var within = autoscaler.Decide(At(59), inputs);
        autoscaler.Record(At(60), 0);
        var outside = autoscaler.Decide(At(60), inputs);

        Assert.Equal(new ScaleDecision(1, "stable average 0.2 over 60 s"), within);
        Assert.Equal(new ScaleDecision(1, "1 kept warm until idle for 300 s"), outside);
    }

    [Fact]
    public void Decide_NoSamplesInWindow_AverageZero()
    {
        var autoscaler = NewAutoscaler();
        autoscaler.Record(At(0), 8);

        var decision = autoscaler.Decide(At(120), Quiet with { Ready = 8, Current = 8 });

        Assert.Equal(new ScaleDecision(1, "1 kept warm until idle for 300 s"), decision);
    }

    [Fact]
    public void Decide_WholeNumberMeanWithRounding_NoExtraEnvironment()
    {
        var autoscaler = NewAutoscaler();
        // 1.9 and 2.1 are not exact in binary floating point; their mean is 2 all the same, not 2.0000000000000004.
        Feed(autoscaler, 1, 30, 1.9);
        Feed(autoscaler, 31, 60, 2.1);

        Assert.Equal(2, autoscaler.Decide(At(60), Quiet with { Ready = 2, Current = 2 }).Desired);
    }

    // Panic

    [Fact]
    public void Decide_BurstOverTwiceReady_EntersPanicAndScalesToPanicAverage()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 1, 57, 2);
        Feed(autoscaler, 58, 60, 10);

        // Panic window (54, 60]: 2, 2, 2, 10, 10, 10 = 6.0, at least 2 x ready 2. Stable: 144 / 60 = 2.4.
        var decision = autoscaler.Decide(At(60), Quiet with { Demand = 4, Ready = 2, Current = 2 });

        Assert.True(autoscaler.Panicking);
        Assert.Equal(new ScaleDecision(6, "panic: 6 s average 6.0 is at least 2x ready 2"), decision);
    }

    [Theory]
    [InlineData(0, 1.0, false)]
    [InlineData(0, 2.0, true)]
    [InlineData(1, 1.5, true)]
    [InlineData(4, 7.0, false)]
    [InlineData(4, 7.5, true)]
    [InlineData(4, 8.0, true)]
    [InlineData(10, 19.0, false)]
    public void Decide_PanicAverageAgainstReady_PanicsFromTwiceReady(int ready, double load, bool panics)
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 55, 60, load);

        autoscaler.Decide(At(60), Quiet with { Demand = 0, Ready = ready, Current = ready });

        Assert.Equal(panics, autoscaler.Panicking);
    }

    [Fact]
    public void Decide_PanicThresholdOption_Used()
    {
        var autoscaler = new FunctionAutoscaler(new ConcurrencyOptions { PanicThreshold = 3.0 });
        Feed(autoscaler, 55, 60, 8);

        var decision = autoscaler.Decide(At(60), Quiet with { Ready = 3, Current = 3 });

        Assert.False(autoscaler.Panicking);
        Assert.Equal(new ScaleDecision(8, "stable average 8.0 over 60 s"), decision);
    }

    [Fact]
    public void Decide_Panicking_NoScaleDown()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 55, 60, 12);
        Assert.Equal(12, autoscaler.Decide(At(60), Quiet with { Demand = 12, Ready = 4, Current = 4 }).Desired);
        Assert.True(autoscaler.Panicking);

        // The burst is over: the stable average alone would ask for 3 at 100 s and 2 at 118 s.
        Feed(autoscaler, 61, 118, 1);
        var inputs = Quiet with { Demand = 1, Ready = 12, Current = 12 };

        Assert.Equal(new ScaleDecision(12, "panic: no scale-down below 12"), autoscaler.Decide(At(100), inputs));
        Assert.Equal(new ScaleDecision(12, "panic: no scale-down below 12"), autoscaler.Decide(At(118), inputs));
        Assert.True(autoscaler.Panicking);
    }

    [Fact]
    public void Decide_PanicQuietForStableWindow_EndsAndScalesDown()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 55, 60, 12);
        autoscaler.Decide(At(60), Quiet with { Demand = 12, Ready = 4, Current = 4 });
        Feed(autoscaler, 61, 120, 1);
        var inputs = Quiet with { Demand = 1, Ready = 12, Current = 12 };

        Assert.Equal(12, autoscaler.Decide(At(119), inputs).Desired);
        Assert.True(autoscaler.Panicking);

        // A whole stable window after the trigger: panic ends, and the window holds only the 1s.
        var decision = autoscaler.Decide(At(120), inputs);

        Assert.False(autoscaler.Panicking);
        Assert.Equal(new ScaleDecision(1, "demand 1 now"), decision);
    }

    [Fact]
    public void Decide_PanicRetriggered_LastsAStableWindowFromTheLastTrigger()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 55, 60, 8);
        autoscaler.Decide(At(60), Quiet with { Demand = 8, Ready = 2, Current = 2 });
        Feed(autoscaler, 61, 84, 1);
        Feed(autoscaler, 85, 90, 40);
        autoscaler.Decide(At(90), Quiet with { Demand = 40, Ready = 8, Current = 8 });
        Feed(autoscaler, 91, 150, 1);
        var inputs = Quiet with { Demand = 1, Ready = 40, Current = 40 };

        // 60 s after the first trigger, but only 40 s after the second: still panicking.
        Assert.Equal(40, autoscaler.Decide(At(130), inputs).Desired);
        Assert.True(autoscaler.Panicking);
        Assert.Equal(1, autoscaler.Decide(At(150), inputs).Desired);
        Assert.False(autoscaler.Panicking);
    }

    [Fact]
    public void Decide_PanickingAndBurstGrows_FollowsPanicAverageUp()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 55, 60, 6);
        autoscaler.Decide(At(60), Quiet with { Ready = 2, Current = 2 });
        Feed(autoscaler, 61, 63, 12);

        // Panic window (57, 63]: 6, 6, 6, 12, 12, 12 = 9.0; ready 6 does not re-trigger (9 < 12) but panic holds.
        var decision = autoscaler.Decide(At(63), Quiet with { Ready = 6, Current = 6 });

        Assert.True(autoscaler.Panicking);
        Assert.Equal(new ScaleDecision(9, "panic: 6 s average 9.0"), decision);
    }

    [Fact]
    public void Decide_BurstWhileIdleTimeShorterThanPanicWindow_IdleEndsPanic()
    {
        var autoscaler = NewAutoscaler();
        var idleAfter2 = Quiet with { IdleAfter = TimeSpan.FromSeconds(2) };
        Feed(autoscaler, 55, 60, 10);
        autoscaler.Decide(At(60), idleAfter2 with { Demand = 10, Ready = 2, Current = 2 });
        Assert.True(autoscaler.Panicking);
        Feed(autoscaler, 61, 62, 0);

        var decision = autoscaler.Decide(At(62), idleAfter2 with { Ready = 10, Current = 10 });

        Assert.False(autoscaler.Panicking);
        Assert.Equal(new ScaleDecision(0, "idle for 2 s"), decision);
    }

    // Idle and warm

    [Fact]
    public void Decide_IdleForIdleSeconds_ScalesToZero()
    {
        var autoscaler = NewAutoscaler();
        autoscaler.Record(At(0), 3);
        Feed(autoscaler, 1, 300, 0);

        var decision = autoscaler.Decide(At(300), Quiet with { Ready = 1, Current = 1 });

        Assert.Equal(new ScaleDecision(0, "idle for 300 s"), decision);
    }

    [Fact]
    public void Decide_IdleWithProvisioned_ProvisionedFloor()
    {
        var autoscaler = NewAutoscaler();
        autoscaler.Record(At(0), 5);
        Feed(autoscaler, 1, 400, 0);

        var decision = autoscaler.Decide(At(400), Quiet with { Ready = 3, Current = 3, Min = 2 });

        Assert.Equal(new ScaleDecision(2, "provisioned floor 2 (idle for 400 s)"), decision);
    }

    [Fact]
    public void Decide_WithinIdleSeconds_OneEnvironmentStaysWarm()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 0, 59, 3);
        Feed(autoscaler, 60, 358, 0);

        // The last activity was at 59 s: 299 s ago. The stable window holds only zeros.
        var decision = autoscaler.Decide(At(358), Quiet with { Ready = 3, Current = 3 });

        Assert.Equal(new ScaleDecision(1, "1 kept warm until idle for 300 s"), decision);
        Assert.Equal(0, autoscaler.Decide(At(359), Quiet with { Ready = 1, Current = 1 }).Desired);
    }

    [Fact]
    public void Decide_WithinIdleSecondsNoneRunning_NotScaledUp()
    {
        var autoscaler = NewAutoscaler();
        autoscaler.Record(At(0), 1);
        Feed(autoscaler, 1, 100, 0);

        var decision = autoscaler.Decide(At(100), Quiet);

        Assert.Equal(new ScaleDecision(0, "no demand"), decision);
    }

    [Fact]
    public void Touch_BetweenTicks_PostponesIdle()
    {
        var autoscaler = NewAutoscaler();
        autoscaler.Record(At(0), 1);
        autoscaler.Touch(At(200.5));
        var inputs = Quiet with { Ready = 1, Current = 1 };

        Assert.Equal(1, autoscaler.Decide(At(300), inputs).Desired);
        Assert.Equal(1, autoscaler.Decide(At(500), inputs).Desired);
        Assert.Equal(new ScaleDecision(0, "idle for 300 s"), autoscaler.Decide(At(500.5), inputs));
    }

    [Fact]
    public void Touch_OlderThanLastActivity_Ignored()
    {
        var autoscaler = NewAutoscaler();
        autoscaler.Touch(At(10));

        autoscaler.Touch(At(5));

        Assert.Equal(At(10), autoscaler.LastActivity);
    }

    [Fact]
    public void Decide_IdleSecondsZero_ToFloorAsSoonAsNothingInFlight()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 1, 10, 4);
        var inputs = Quiet with { Ready = 4, Current = 4, Min = 1, IdleAfter = TimeSpan.Zero };

        Assert.Equal(4, autoscaler.Decide(At(10), inputs with { Demand = 4 }).Desired);
        Assert.Equal(new ScaleDecision(1, "provisioned floor 1 (idle for 0 s)"), autoscaler.Decide(At(10), inputs));
    }

    // Bounds

    [Fact]
    public void Decide_DemandOverMax_CappedWithReason()
    {
        var decision = NewAutoscaler().Decide(T0, Quiet with { Demand = 12, Max = 10 });

        Assert.Equal(new ScaleDecision(10, "capped at 10 (demand 12 now)"), decision);
    }

    [Fact]
    public void Decide_MaxZero_Zero()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 1, 60, 5);

        var decision = autoscaler.Decide(At(60), Quiet with { Demand = 5, Current = 3, Max = 0 });

        Assert.Equal(new ScaleDecision(0, "capped at 0 (demand 5 now)"), decision);
    }

    [Fact]
    public void Decide_MaxBelowMin_CapWins()
    {
        var decision = NewAutoscaler().Decide(T0, Quiet with { Min = 3, Max = 1 });

        Assert.Equal(new ScaleDecision(1, "provisioned floor 3 capped at 1 (no activity since start)"), decision);
    }

    [Fact]
    public void Decide_DemandBetweenMinAndMax_Unbounded()
    {
        var decision = NewAutoscaler().Decide(T0, Quiet with { Demand = 5, Min = 2, Max = 10 });

        Assert.Equal(new ScaleDecision(5, "demand 5 now"), decision);
    }

    [Fact]
    public void Decide_PanickingAboveLoweredCap_CapWins()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 55, 60, 12);
        autoscaler.Decide(At(60), Quiet with { Demand = 12, Ready = 4, Current = 4 });
        Feed(autoscaler, 61, 70, 1);

        var decision = autoscaler.Decide(At(70), Quiet with { Demand = 1, Ready = 12, Current = 12, Max = 5 });

        Assert.True(autoscaler.Panicking);
        Assert.Equal(new ScaleDecision(5, "capped at 5 (panic: no scale-down below 12)"), decision);
    }

    // Samples

    [Fact]
    public void Record_LongRun_OldSamplesDropped()
    {
        var autoscaler = NewAutoscaler();

        Feed(autoscaler, 0, 10_000, 1);

        // The 60 samples in (9940, 10000], none older.
        Assert.Equal(60, autoscaler.SampleCount);
    }

    [Fact]
    public void Record_FasterThanTick_MemoryBounded()
    {
        var autoscaler = NewAutoscaler();

        for (var i = 0; i < 10_000; i++)
        {
            autoscaler.Record(T0.AddMilliseconds(i), 1);
        }

        // StableWindow / Tick plus a little slack for jitter.
        Assert.InRange(autoscaler.SampleCount, 60, 64);
    }

    [Fact]
    public void Decide_LaterThanLastSample_DropsSamplesOutOfWindow()
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 1, 60, 2);

        autoscaler.Decide(At(90), Quiet with { Ready = 2, Current = 2 });

        Assert.Equal(30, autoscaler.SampleCount);
    }

    [Fact]
    public void Record_Zero_NotActivity()
    {
        var autoscaler = NewAutoscaler();

        autoscaler.Record(T0, 0);

        Assert.Null(autoscaler.LastActivity);
    }

    [Fact]
    public void Record_AboveZero_Activity()
    {
        var autoscaler = NewAutoscaler();

        autoscaler.Record(T0, 0.5);

        Assert.Equal(T0, autoscaler.LastActivity);
    }

    [Theory]
    [InlineData(-3.0)]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void Record_NegativeOrNaN_CountsAsZero(double sample)
    {
        var autoscaler = NewAutoscaler();
        Feed(autoscaler, 1, 30, 4);
        Feed(autoscaler, 31, 60, sample);

        var decision = autoscaler.Decide(At(60), Quiet with { Ready = 2, Current = 2 });

        Assert.Equal(new ScaleDecision(2, "stable average 2.0 over 60 s"), decision);
        Assert.Equal(At(30), autoscaler.LastActivity);
    }

    [Fact]
    public void Record_PositiveInfinity_CappedAtIntMax()
    {
        var autoscaler = NewAutoscaler();
        autoscaler.Record(T0, double.PositiveInfinity);

        var decision = autoscaler.Decide(T0, Quiet with { Ready = 1, Current = 1 });

        Assert.Equal(1000, decision.Desired);
    }

    // Options

    [Fact]
    public void Constructor_PanicWindowLongerThanStableWindow_Throws() =>
        Assert.Throws<ArgumentException>(() => new FunctionAutoscaler(
            new ConcurrencyOptions { PanicWindow = TimeSpan.FromSeconds(90), StableWindow = TimeSpan.FromSeconds(60) }));

    [Fact]
    public void Constructor_ZeroTick_Throws() =>
        Assert.Throws<ArgumentException>(() => new FunctionAutoscaler(new ConcurrencyOptions { Tick = TimeSpan.Zero }));

    [Fact]
    public void Constructor_ZeroPanicThreshold_Throws() =>
        Assert.Throws<ArgumentException>(() => new FunctionAutoscaler(new ConcurrencyOptions { PanicThreshold = 0 }));
}
