using Lamina.Concurrency.V1;

namespace Lamina.Gateway.Routing;

/// <summary>The controller's answers to the waiters' tickets: a grant, a grant that cannot be used, a refusal.</summary>
internal sealed partial class LeasedEnvironments
{
    /// <summary>
    /// The controller granted <paramref name="lease"/> for <paramref name="ticket"/>: the environment
    /// goes to the head of the queue, or idles when nobody waits (the ticket's caller left). False
    /// when the pool has retired: grant it on the router's current pool.
    /// </summary>
    public bool Grant(ulong ticket, Lease lease, FunctionEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(environment);
        lock (_gate)
        {
            if (_isRetired)
            {
                return false;
            }

            var owner = _tickets.Take(ticket);
            if (_slots.ContainsKey(lease.LeaseId))
            {
                // Granted twice: the lease is already here. The owner's ticket is spent; it asks again.
                if (owner is not null)
                {
                    _tickets.AskFor(owner);
                }

                return true;
            }

            var slot = new EnvironmentSlot(this, lease, environment);
            _slots.Add(lease.LeaseId, slot);
            _index.Leases[lease.LeaseId] = slot;
            Volatile.Write(ref _leases, _slots.Count);
            if (_waiters.First is { } head && owner is not null && owner != head.Value)
            {
                // The environment goes to the head; the ticket's owner inherits the head's ticket.
                _tickets.HandOver(head.Value.Ticket, owner);
                Dequeue(head.Value);
                Lend(slot);
                head.Value.Grant(slot);
                return true;
            }

            if (owner is not null)
            {
                Dequeue(owner);
                Lend(slot);
                owner.Grant(slot);
                return true;
            }

            Offer(slot, front: false);
            return true;
        }
    }

    /// <summary>
    /// A ticket's grant could not be used (its address is not one): the waiter holding it, if any,
    /// asks again with a new ticket.
    /// </summary>
    public void Reissue(ulong ticket)
    {
        lock (_gate)
        {
            if (_tickets.Take(ticket) is { } owner)
            {
                _tickets.AskFor(owner);
            }
        }
    }

    /// <summary>The controller refused the ticket: the waiter holding it leaves the queue with <paramref name="result"/>.</summary>
    public void Refuse(ulong ticket, RouteResult result)
    {
        lock (_gate)
        {
            if (_tickets.Take(ticket) is not { } waiter)
            {
                return;
            }

            Dequeue(waiter);
            waiter.Refuse(result);
            RetireIfEmpty();
        }
    }
}
