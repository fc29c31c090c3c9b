namespace Lamina.Gateway.Routing;

/// <summary>
/// What routing tells the concurrency controller. Calls are made under a pool's lock: they only
/// queue a message (the controller connection sends it with the next batch) and never block.
/// </summary>
internal interface IConcurrencyOutbox
{
    /// <summary>Asks for one environment of <paramref name="function"/> for one waiting invocation; returns the ticket the answer will name.</summary>
    ulong Acquire(FunctionKey function);

    /// <summary>The ticket's invocation stopped waiting (it was served, it left, or its wait expired): answer it no more.</summary>
    void Cancel(ulong ticket);

    /// <summary>Gives a lease back (idle, revoked, reclaimed, expired, or no longer usable).</summary>
    void Release(string leaseId);
}
