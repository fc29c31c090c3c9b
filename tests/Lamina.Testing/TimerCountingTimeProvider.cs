using Microsoft.Extensions.Time.Testing;

namespace Lamina.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also counts its armed timers, for the tests that wait until
/// code under test arms one (an informer's backoff) or prove none is left (a shut-down work queue).
/// FakeTimeProvider keeps its timers in an internal list, so the count has to be kept here.
/// </summary>
public sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<CountedTimer> _timers = [];

    /// <summary>Timers that are armed (due at some time).</summary>
    public int ActiveTimers
    {
        get { lock (_gate) { return _timers.Count(t => t.Armed); } }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new CountedTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Arm(dueTime, period);
        timer.Inner = base.CreateTimer(static counted => ((CountedTimer)counted!).Fire(), timer, dueTime, period);
        return timer;
    }

    private sealed class CountedTimer(TimerCountingTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool _periodic;

        public ITimer Inner { get; set; } = null!;

        public bool Armed { get; private set; }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Armed = dueTime != Timeout.InfiniteTimeSpan;
                _periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
            }
        }

        public void Fire()
        {
            lock (owner._gate)
            {
                Armed = _periodic;
            }

            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
