using Lamina.Gateway.Async;
using Lamina.Gateway.Worker;
using Lamina.Gateway.Functions;
using Lamina.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Gateway.Tests.Async;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class AsyncRetryPolicyTests
{
    private static readonly FunctionAsyncSettings Defaults = FunctionAsyncSettings.Default;

    private readonly FakeTimeProvider _time = new();
    private readonly AsyncRetryPolicy _policy = new(new AsyncOptions());

    [Fact]
    public void Decide_Success_FinalSuccess()
    {
        var decision = _policy.Decide(Fresh().After(Outcome(AttemptOutcomeKind.Success)), Defaults, _time.GetUtcNow());

        var final = Assert.IsType<AsyncDecision.Final>(decision);
        Assert.Equal(AsyncCondition.Success, final.Condition);
        Assert.Equal(1, final.Event.Attempt);
    }

    [Fact]
    public void Decide_FunctionErrors_RetriedAfterOneMinuteThenTwoThenExhausted()
    {
        var e = Fresh();
        var attempts = new List<DateTimeOffset>();
        AsyncDecision decision;
        while (true)
        {
            attempts.Add(_time.GetUtcNow());
            decision = _policy.Decide(e.After(Outcome(AttemptOutcomeKind.FunctionError)), Defaults, _time.GetUtcNow());
            if (decision is not AsyncDecision.Retry retry)
            {
                break;
            }

            _time.Advance(retry.DueAt - _time.GetUtcNow());
            e = retry.Event;
        }

        var final = Assert.IsType<AsyncDecision.Final>(decision);
        Assert.Equal(AsyncCondition.RetriesExhausted, final.Condition);
        Assert.Equal(3, final.Event.Attempt);
        Assert.Equal(3, final.Event.FunctionErrors);
        var start = attempts[0];
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3)], attempts.Select(a => a - start));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    public void Decide_AlwaysFailing_TriedOnePlusMaximumRetryAttemptsTimes(int maximumRetryAttempts, int expectedAttempts)
    {
        var settings = Defaults with { MaximumRetryAttempts = maximumRetryAttempts };
        var e = Fresh();
        AsyncDecision decision;
        while ((decision = _policy.Decide(e.After(Outcome(AttemptOutcomeKind.FunctionError)), settings, _time.GetUtcNow())) is AsyncDecision.Retry retry)
        {
            _time.Advance(retry.Delay);
            e = retry.Event;
        }

        var final = Assert.IsType<AsyncDecision.Final>(decision);
        Assert.Equal(AsyncCondition.RetriesExhausted, final.Condition);
        Assert.Equal(expectedAttempts, final.Event.Attempt);
    }

    [Theory]
    [InlineData("Throttled")]
    [InlineData("SystemError")]
    public void Decide_ThrottlesAndSystemErrors_BackoffFromOneSecondDoublingToFiveMinutes(string outcome)
    {
        var kind = Enum.Parse<AttemptOutcomeKind>(outcome);
        var e = Fresh();
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 12; i++)
        {
            var retry = Assert.IsType<AsyncDecision.Retry>(_policy.Decide(e.After(Outcome(kind)), Defaults, _time.GetUtcNow()));
            delays.Add(retry.Delay);
            Assert.Equal(_time.GetUtcNow() + retry.Delay, retry.DueAt);
            _time.Advance(retry.Delay);
            e = retry.Event;
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300], delays.Select(d => d.TotalSeconds));
        Assert.Equal(0, e.FunctionErrors);
    }

    [Fact]
    public void Decide_ThrottledForever_EventAgeExceededBeforeTheMaximumAgeIsPassed()
    {
        var settings = Defaults with { MaximumEventAgeSeconds = 600 };
        var e = Fresh();
        AsyncDecision decision;
        while ((decision = _policy.Decide(e.After(Outcome(AttemptOutcomeKind.Throttled)), settings, _time.GetUtcNow())) is AsyncDecision.Retry retry)
        {
            _time.Advance(retry.Delay);
            e = retry.Event;
            Assert.False(AsyncRetryPolicy.IsExpired(e, settings, _time.GetUtcNow()));
        }

        var final = Assert.IsType<AsyncDecision.Final>(decision);
        Assert.Equal(AsyncCondition.EventAgeExceeded, final.Condition);
        // 1+2+…+256 = 511 s of waits; the next wait (300 s) would end past 600 s.
        Assert.Equal(10, final.Event.Attempt);
        Assert.Equal(TimeSpan.FromSeconds(511), _time.GetUtcNow() - final.Event.EnqueuedAt);
    }

    [Fact]
    public void Decide_ThrottlesBetweenFunctionErrors_DoNotUseUpTheRetries()
    {
        var e = Fresh().After(Outcome(AttemptOutcomeKind.FunctionError));
        e = e.After(Outcome(AttemptOutcomeKind.Throttled)).After(Outcome(AttemptOutcomeKind.Throttled));
        e = e.After(Outcome(AttemptOutcomeKind.FunctionError));

        var retry = Assert.IsType<AsyncDecision.Retry>(_policy.Decide(e, Defaults, _time.GetUtcNow()));

        Assert.Equal(4, retry.Event.Attempt);
        Assert.Equal(2, retry.Event.FunctionErrors);
        Assert.Equal(TimeSpan.FromMinutes(2), retry.Delay);
    }

    [Fact]
    public void Decide_SystemErrorsAfterFunctionErrors_BackoffCountsOnlySystemErrors()
    {
        var e = Fresh().After(Outcome(AttemptOutcomeKind.FunctionError)).After(Outcome(AttemptOutcomeKind.FunctionError));
        e = e.After(Outcome(AttemptOutcomeKind.SystemError));

        var retry = Assert.IsType<AsyncDecision.Retry>(_policy.Decide(e, Defaults, _time.GetUtcNow()));

        Assert.Equal(TimeSpan.FromSeconds(1), retry.Delay);
    }

    [Fact]
    public void Decide_FunctionErrorWhoseRetryWouldComeTooLate_EventAgeExceededAtOnce()
    {
        var settings = Defaults with { MaximumEventAgeSeconds = 60 };
        var e = Fresh();
        _time.Advance(TimeSpan.FromSeconds(5));

        var final = Assert.IsType<AsyncDecision.Final>(_policy.Decide(e.After(Outcome(AttemptOutcomeKind.FunctionError)), settings, _time.GetUtcNow()));

        Assert.Equal(AsyncCondition.EventAgeExceeded, final.Condition);
    }

    [Fact]
    public void Decide_Rejected_RetriesExhaustedWithoutRetrying()
    {
        var final = Assert.IsType<AsyncDecision.Final>(_policy.Decide(Fresh().After(Outcome(AttemptOutcomeKind.Rejected)), Defaults, _time.GetUtcNow()));

        Assert.Equal(AsyncCondition.RetriesExhausted, final.Condition);
        Assert.Equal(1, final.Event.Attempt);
    }

    [Fact]
    public void Decide_NoAttemptMadeYet_Throws()
    {
        Assert.Throws<ArgumentException>(() => _policy.Decide(Fresh(), Defaults, _time.GetUtcNow()));
    }

    [Fact]
    public void Decide_ConfiguredDelays_UsedInOrderTheLastRepeating()
    {
        var policy = new AsyncRetryPolicy([TimeSpan.FromMilliseconds(100)], TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(40));

        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.FunctionErrorDelay(1));
        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.FunctionErrorDelay(2));
        Assert.Equal([10, 20, 40, 40], Enumerable.Range(1, 4).Select(n => policy.SystemErrorDelay(n).TotalMilliseconds));
    }

    [Fact]
    public void SystemErrorDelay_ManyErrors_NoOverflow()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), _policy.SystemErrorDelay(int.MaxValue));
    }

    [Theory]
    [InlineData(21_599, false)]
    [InlineData(21_600, false)]
    [InlineData(21_601, true)]
    public void IsExpired_AgeAgainstTheMaximum_OnlyOlderIsExpired(int ageSeconds, bool expected)
    {
        var e = Fresh();
        _time.Advance(TimeSpan.FromSeconds(ageSeconds));

        Assert.Equal(expected, AsyncRetryPolicy.IsExpired(e, Defaults, _time.GetUtcNow()));
    }

    [Fact]
    public void IsExpired_RetriedEvent_AgeCountsFromTheFirstEnqueue()
    {
        var e = Fresh().After(Outcome(AttemptOutcomeKind.FunctionError));
        _time.Advance(TimeSpan.FromSeconds(61));

        Assert.True(AsyncRetryPolicy.IsExpired(e, Defaults with { MaximumEventAgeSeconds = 60 }, _time.GetUtcNow()));
    }

    private AsyncEvent Fresh() => AsyncEvent.New("0b6f6bd4-79f1-4ea5-9e3f-3c1e2b9e6f10", "{}"u8.ToArray(), _time.GetUtcNow(), null, null);

    private static AttemptOutcome Outcome(AttemptOutcomeKind kind) => kind switch
    {
        AttemptOutcomeKind.Success => new(kind, 200, null, "{}"u8.ToArray()),
        AttemptOutcomeKind.FunctionError => new(kind, 200, "Unhandled", """{"errorMessage":"boom","errorType":"Error"}"""u8.ToArray()),
        AttemptOutcomeKind.Throttled => new(kind, 429, null, ReadOnlyMemory<byte>.Empty),
        AttemptOutcomeKind.Rejected => new(kind, 413, null, ReadOnlyMemory<byte>.Empty),
        _ => new(kind, 502, null, ReadOnlyMemory<byte>.Empty),
    };
}
