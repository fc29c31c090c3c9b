namespace Lamina.Gateway.Routing;

/// <summary>An environment moving between idle, in flight and resting: offered to the queue's head or idled, lent, rested.</summary>
internal sealed partial class LeasedEnvironments
{
    /// <summary>An environment is free for this replica: to the head of the queue (whose ticket is then surplus), else idle (or given back when the gateway is leaving).</summary>
    private void Offer(EnvironmentSlot slot, bool front)
    {
        if (_waiters.First is { } head)
        {
            var waiter = head.Value;
            Dequeue(waiter);
            _tickets.Withdraw(waiter.Ticket);
            Lend(slot);
            waiter.Grant(slot);
            return;
        }

        if (_index.Leaving)
        {
            // The gateway is stopping: nobody here needs it, another replica may.
            Release(slot);
            return;
        }

        slot.State = EnvironmentState.Idle;
        slot.IdleSince = _time.GetTimestamp();
        if (front)
        {
            _idle.AddFirst(slot.IdleNode);
        }
        else
        {
            _idle.AddLast(slot.IdleNode);
        }
    }

    private void Lend(EnvironmentSlot slot)
    {
        slot.State = EnvironmentState.InFlight;
        Volatile.Write(ref _inFlight, _inFlight + 1);
        if (slot.Lease.Provisioned)
        {
            Volatile.Write(ref _provisionedInFlight, _provisionedInFlight + 1);
        }

        Interlocked.Increment(ref _started);
    }

    private void Rest(EnvironmentSlot slot)
    {
        slot.State = EnvironmentState.Resting;
        var delay = _rest.For(slot.Refusals);
        if (slot.RestTimer is { } timer)
        {
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            slot.RestTimer = _time.CreateTimer(static state => RestEnded((EnvironmentSlot)state!), slot, delay, Timeout.InfiniteTimeSpan);
        }
    }

    private static void RestEnded(EnvironmentSlot slot)
    {
        var pool = slot.Pool;
        lock (pool._gate)
        {
            if (slot.State == EnvironmentState.Resting)
            {
                pool.Offer(slot, front: false);
            }
        }
    }
}
