using Lamina.Gateway.Async;
using Lamina.Gateway.Functions;

namespace Lamina.Gateway.Worker;

/// <summary>
/// Lambda's retry rules for async events (docs/lambda-contracts.md#retries), as pure functions of the event, the
/// attempt's outcome, the function's settings and the time: no Redis, no clock of its own.
/// <list type="bullet">
/// <item>A function error is retried up to <c>maximumRetryAttempts</c> times, after the configured
/// delays (Lambda: about 1 minute, then 2).</item>
/// <item>A throttle or a system error is retried with backoff from <see cref="AsyncOptions.SystemRetryDelay"/>,
/// doubling up to <see cref="AsyncOptions.MaxSystemRetryDelay"/>, without using up the function-error budget.</item>
/// <item>An event older than <c>maximumEventAgeSeconds</c> is never invoked again; a retry that would
/// only fall due after that ends the event at once (waiting would change nothing).</item>
/// </list>
/// </summary>
internal sealed class AsyncRetryPolicy
{
    private readonly IReadOnlyList<TimeSpan> _retryDelays;
    private readonly TimeSpan _systemRetryDelay;
    private readonly TimeSpan _maxSystemRetryDelay;

    public AsyncRetryPolicy(IReadOnlyList<TimeSpan> retryDelays, TimeSpan systemRetryDelay, TimeSpan maxSystemRetryDelay)
    {
        ArgumentNullException.ThrowIfNull(retryDelays);
        ArgumentOutOfRangeException.ThrowIfZero(retryDelays.Count);
        _retryDelays = retryDelays;
        _systemRetryDelay = systemRetryDelay;
        _maxSystemRetryDelay = maxSystemRetryDelay;
    }

    public AsyncRetryPolicy(AsyncOptions options)
        : this(Check(options).EffectiveRetryDelays, options.SystemRetryDelay, options.MaxSystemRetryDelay)
    {
    }

    /// <summary>True when <paramref name="e"/> is too old to be invoked again.</summary>
    public static bool IsExpired(AsyncEvent e, FunctionAsyncSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(settings);
        return now - e.EnqueuedAt > settings.MaximumEventAge;
    }

    /// <summary>
    /// What follows an attempt: <paramref name="attempted"/> is the event with that attempt counted
    /// (<see cref="AsyncEvent.After"/>), <paramref name="now"/> the time it ended.
    /// </summary>
    public AsyncDecision Decide(AsyncEvent attempted, FunctionAsyncSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(attempted);
        ArgumentNullException.ThrowIfNull(settings);
        var outcome = attempted.LastOutcome ?? throw new ArgumentException("the event has made no attempt yet", nameof(attempted));
        TimeSpan delay;
        switch (outcome.Kind)
        {
            case AttemptOutcomeKind.Success:
                return new AsyncDecision.Final(attempted, AsyncCondition.Success);
            case AttemptOutcomeKind.Rejected:
                return new AsyncDecision.Final(attempted, AsyncCondition.RetriesExhausted);
            case AttemptOutcomeKind.FunctionError:
                if (attempted.FunctionErrors > settings.MaximumRetryAttempts)
                {
                    return new AsyncDecision.Final(attempted, AsyncCondition.RetriesExhausted);
                }

                delay = FunctionErrorDelay(attempted.FunctionErrors);
                break;
            default:
                delay = SystemErrorDelay(attempted.Attempt - attempted.FunctionErrors);
                break;
        }

        var due = now + delay;
        return due - attempted.EnqueuedAt > settings.MaximumEventAge
            ? new AsyncDecision.Final(attempted, AsyncCondition.EventAgeExceeded)
            : new AsyncDecision.Retry(attempted, due, delay);
    }

    /// <summary>The wait before the retry that follows the <paramref name="functionErrors"/>-th function error.</summary>
    public TimeSpan FunctionErrorDelay(int functionErrors) => _retryDelays[Math.Clamp(functionErrors - 1, 0, _retryDelays.Count - 1)];

    /// <summary>The wait after the <paramref name="systemErrors"/>-th throttle or system error: doubling, capped.</summary>
    public TimeSpan SystemErrorDelay(int systemErrors)
    {
        var delay = _systemRetryDelay;
        for (var i = 1; i < systemErrors && delay < _maxSystemRetryDelay; i++)
        {
            delay *= 2;
        }

        return delay < _maxSystemRetryDelay ? delay : _maxSystemRetryDelay;
    }

    private static AsyncOptions Check(AsyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options;
    }
}
