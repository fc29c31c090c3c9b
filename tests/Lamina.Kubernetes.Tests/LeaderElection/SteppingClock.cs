using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.LeaderElection;

/// <summary>
/// A <see cref="ManualTimeProvider"/> that also says when code under test has armed a delay, so a
/// test advances the clock only once the elector waits again (a fired delay continues the elector
/// on another thread). Timers of <c>CancellationTokenSource</c> timeouts are not delays.
/// </summary>
internal sealed class SteppingClock : TimeProvider, IDisposable
{
    /// <summary>A bound for a step the elector takes in microseconds; only a broken elector reaches it.</summary>
    private static readonly TimeSpan ParkTimeout = TimeSpan.FromSeconds(30);

    private readonly ManualTimeProvider _inner = new();
    private readonly SemaphoreSlim _delaysArmed = new(0);

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _inner.CreateTimer(callback, state, dueTime, period);
        if (state is not CancellationTokenSource)
        {
            _delaysArmed.Release();
        }

        return timer;
    }

    public void Dispose() => _delaysArmed.Dispose();

    /// <summary>Moves the clock without waiting for anything.</summary>
    public void Advance(TimeSpan by) => _inner.Advance(by);

    /// <summary>Waits until <paramref name="delays"/> more delays have been armed since the last wait.</summary>
    public async Task ParkedAsync(int delays = 1)
    {
        for (var i = 0; i < delays; i++)
        {
            if (!await _delaysArmed.WaitAsync(ParkTimeout))
            {
                throw new TimeoutException($"within {ParkTimeout.TotalSeconds} s: the code under test waits again");
            }
        }
    }

    /// <summary>Moves the clock, then waits until <paramref name="delays"/> delays are armed again.</summary>
    public async Task StepAsync(TimeSpan by, int delays = 1)
    {
        _inner.Advance(by);
        await ParkedAsync(delays);
    }
}
