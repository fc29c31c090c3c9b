using System.Collections.Concurrent;

namespace Lamina.Gateway.Routing;

/// <summary>
/// The router's directory of its pools, shared with them: the pool of each function, the pool that
/// holds each outstanding ticket (a refusal names only the ticket), the slot of each lease (a revoke
/// names only the lease), and the functions whose pools retired since the last demand report.
/// </summary>
internal sealed class PoolIndex
{
    private readonly Lock _gate = new();
    private Dictionary<FunctionKey, long> _retired = [];

    public ConcurrentDictionary<FunctionKey, LeasedEnvironments> Pools { get; } = new();

    /// <summary>The pool of each ticket a waiter holds now.</summary>
    public ConcurrentDictionary<ulong, LeasedEnvironments> Tickets { get; } = new();

    /// <summary>The slot of each lease held now.</summary>
    public ConcurrentDictionary<string, EnvironmentSlot> Leases { get; } = new(StringComparer.Ordinal);

    private volatile bool _leaving;

    /// <summary>
    /// The gateway is stopping (<see cref="ILeaseHolder.Leave"/>): an environment no invocation
    /// waits for is given back at once instead of idling, so the controller can lend it elsewhere.
    /// </summary>
    public bool Leaving
    {
        get => _leaving;
        set => _leaving = value;
    }

    /// <summary>
    /// Called by a pool, under its lock, when it retires (no lease, no waiter, nothing in flight): it
    /// is forgotten, and its function is reported once more, with zeros and the invocations it
    /// started since the last report. One entry per function however often it retires.
    /// </summary>
    public void Retired(LeasedEnvironments pool, long started)
    {
        ArgumentNullException.ThrowIfNull(pool);
        Pools.TryRemove(new KeyValuePair<FunctionKey, LeasedEnvironments>(pool.Function, pool));
        lock (_gate)
        {
            _retired[pool.Function] = _retired.GetValueOrDefault(pool.Function) + started;
        }
    }

    /// <summary>The functions retired since the last call, with the invocations they started.</summary>
    public Dictionary<FunctionKey, long> TakeRetired()
    {
        lock (_gate)
        {
            var taken = _retired;
            _retired = [];
            return taken;
        }
    }
}
