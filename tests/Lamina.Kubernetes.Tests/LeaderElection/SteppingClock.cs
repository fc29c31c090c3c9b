using Microsoft.Extensions.Time.Testing;

namespace Lamina.Kubernetes.Tests.LeaderElection;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also says when code under test has armed a delay, so a
/// test advances the clock only once the elector waits again (a fired delay continues the elector
/// on another thread). Timers of <c>CancellationTokenSource</c> timeouts are not delays.
/// FakeTimeProvider has no such signal, and its <see cref="FakeTimeProvider.AutoAdvanceAmount"/>
/// moves the clock on every read rather than when the elector waits, so it cannot order a test's
/// steps with the elector's: this small subclass stays.
/// </summary>
internal sealed class SteppingClock : FakeTimeProvider, IDisposable
{
    /// <summary>A bound for a step the elector takes in microseconds; only a broken elector reaches it.</summary>
    private static readonly TimeSpan ParkTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _delaysArmed = new(0);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (state is not CancellationTokenSource)
        {
            _delaysArmed.Release();
        }

        return timer;
    }

    public void Dispose() => _delaysArmed.Dispose();

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
        Advance(by);
        await ParkedAsync(delays);
    }
}
