using Lamina.Concurrency.V1;

namespace Lamina.Gateway.Routing;

/// <summary>
/// What the concurrency controller's messages do to routing (the controller connection calls these,
/// one message at a time), and what routing tells a controller in a <c>Hello</c> and each <c>Demand</c>.
/// </summary>
internal interface ILeaseHolder
{
    /// <summary>A lease for the ticket: the environment goes to the head of its function's queue, or idles when nobody waits.</summary>
    void Grant(ulong ticket, Lease lease);

    /// <summary>The controller will not give the ticket an environment: the waiter holding it leaves the queue with the reason.</summary>
    void Refuse(ulong ticket, RefusalReason reason, string message);

    /// <summary>Gives the lease back as soon as it is idle (now, when it is); it is never lent again.</summary>
    void Revoke(string leaseId);

    /// <summary>Gives back up to <paramref name="count"/> leases of the function that are not in use, and says how many it still holds.</summary>
    Reclaimed Reclaim(ulong round, FunctionKey function, int count);

    /// <summary>
    /// The leases' time to live passed without a word from the controller: every lease is dropped.
    /// Invocations on them finish; waiting ones keep waiting (their tickets go in the next Hello).
    /// </summary>
    void ExpireLeases();

    /// <summary>
    /// The gateway is stopping and has finished (or given up waiting for) its invocations: every
    /// lease not in use is given back now, each one in use when its invocation ends, and from now a
    /// lease nobody waits for is given back at once instead of idling.
    /// </summary>
    void Leave();

    /// <summary>Leases held now, for a Hello: the controller adopts them.</summary>
    IReadOnlyList<Lease> HeldLeases();

    /// <summary>Tickets of invocations waiting now, for a Hello: the controller answers them again.</summary>
    IReadOnlyList<Acquire> PendingTickets();

    /// <summary>
    /// In flight (all, and on provisioned environments), waiting and started per function since the
    /// last call: every function with a lease or a waiter, and once more (with zeros) each one that has
    /// just lost its last.
    /// </summary>
    IReadOnlyList<Demand> TakeDemand();
}
