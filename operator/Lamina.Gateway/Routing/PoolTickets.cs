namespace Lamina.Gateway.Routing;

/// <summary>
/// The tickets a pool's waiters hold at the concurrency controller: which waiter holds each one, also
/// listed in the router's <see cref="PoolIndex"/> (a refusal names only the ticket). Each ticket is
/// asked for and cancelled through the outbox here, so a waiter never holds a ticket the index does
/// not know, nor the index one nobody holds. Not thread-safe: used under the pool's lock.
/// </summary>
internal sealed class PoolTickets(LeasedEnvironments pool, IConcurrencyOutbox outbox, PoolIndex index)
{
    private readonly Dictionary<ulong, QueueWaiter> _holders = [];

    /// <summary>A new ticket for <paramref name="waiter"/>.</summary>
    public void AskFor(QueueWaiter waiter)
    {
        var ticket = outbox.Acquire(pool.Function);
        waiter.Ticket = ticket;
        _holders[ticket] = waiter;
        index.Tickets[ticket] = pool;
    }

    /// <summary><paramref name="heir"/> holds <paramref name="ticket"/> from now on (its holder was served by another's grant).</summary>
    public void HandOver(ulong ticket, QueueWaiter heir)
    {
        heir.Ticket = ticket;
        _holders[ticket] = heir;
    }

    /// <summary>The waiter holding <paramref name="ticket"/>, which holds it no more; null when nobody does.</summary>
    public QueueWaiter? Take(ulong ticket)
    {
        if (!_holders.Remove(ticket, out var waiter))
        {
            return null;
        }

        index.Tickets.TryRemove(new KeyValuePair<ulong, LeasedEnvironments>(ticket, pool));
        return waiter;
    }

    /// <summary>A ticket whose waiter no longer needs it: the controller is told to answer it no more.</summary>
    public void Withdraw(ulong ticket)
    {
        if (Take(ticket) is not null)
        {
            outbox.Cancel(ticket);
        }
    }
}
