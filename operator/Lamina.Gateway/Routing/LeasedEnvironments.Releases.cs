namespace Lamina.Gateway.Routing;

/// <summary>The ways a lease goes back to the controller: revoked, reclaimed, idle too long, or given back by <see cref="Release"/>.</summary>
internal sealed partial class LeasedEnvironments
{
    /// <summary>The lease goes back now, or when the invocation on it ends; it is never lent again.</summary>
    public void Revoke(EnvironmentSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        lock (_gate)
        {
            RevokeLocked(slot);
            RetireIfEmpty();
        }
    }

    /// <summary>Every lease is dropped: released now, or when the invocation on it ends.</summary>
    public void RevokeAll()
    {
        lock (_gate)
        {
            foreach (var slot in SlotsSnapshot())
            {
                RevokeLocked(slot);
            }

            RetireIfEmpty();
        }
    }

    /// <summary>
    /// Releases up to <paramref name="count"/> leases not in use (idle ones, least recently used
    /// first, then resting ones) into <paramref name="released"/>; returns the leases still held.
    /// </summary>
    public int Reclaim(int count, ICollection<string> released)
    {
        ArgumentNullException.ThrowIfNull(released);
        lock (_gate)
        {
            var given = 0;
            for (var node = _idle.Last; node is not null && given < count; given++)
            {
                var previous = node.Previous;
                released.Add(node.Value.LeaseId);
                Release(node.Value);
                node = previous;
            }

            if (given < count)
            {
                foreach (var slot in SlotsSnapshot())
                {
                    if (given < count && slot.State == EnvironmentState.Resting)
                    {
                        released.Add(slot.LeaseId);
                        Release(slot);
                        given++;
                    }
                }
            }

            var held = _slots.Count;
            RetireIfEmpty();
            return held;
        }
    }

    /// <summary>Releases every lease that has been idle for <paramref name="idleRelease"/> or more at <paramref name="now"/> (a timestamp).</summary>
    public void ReleaseIdle(long now, TimeSpan idleRelease)
    {
        lock (_gate)
        {
            for (var node = _idle.First; node is not null;)
            {
                var next = node.Next;
                if (_time.GetElapsedTime(node.Value.IdleSince, now) >= idleRelease)
                {
                    Release(node.Value);
                }

                node = next;
            }

            RetireIfEmpty();
        }
    }

    private void RevokeLocked(EnvironmentSlot slot)
    {
        switch (slot.State)
        {
            case EnvironmentState.Released:
                return;
            case EnvironmentState.InFlight:
                slot.Revoked = true; // released when its invocation returns
                return;
            default:
                Release(slot);
                return;
        }
    }

    /// <summary>Gives the lease back: out of the pool, the idle list and its rest, and a release in the outbox.</summary>
    private void Release(EnvironmentSlot slot)
    {
        if (slot.State == EnvironmentState.Released)
        {
            return;
        }

        if (slot.IdleNode.List is not null)
        {
            // Idle (a slot just granted is Idle before it is in the list: Offer may give it back at once).
            _idle.Remove(slot.IdleNode);
        }

        slot.State = EnvironmentState.Released;
        slot.RestTimer?.Dispose();
        slot.RestTimer = null;
        _slots.Remove(slot.LeaseId);
        _index.Leases.TryRemove(new KeyValuePair<string, EnvironmentSlot>(slot.LeaseId, slot));
        Volatile.Write(ref _leases, _slots.Count);
        _outbox.Release(slot.LeaseId);
    }
}
