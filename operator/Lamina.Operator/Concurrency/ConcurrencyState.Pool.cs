using Lamina.Concurrency.V1;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// The cluster pool: functions without a reservation share what the admitted reservations leave of
/// it (docs/concurrency.md, "The cluster pool"), so one function's cap depends on the others' leases.
/// </summary>
internal sealed partial class ConcurrencyState
{
    /// <summary>The pool's room for functions without a reservation (pool size less the admitted reservations).</summary>
    public int UnreservedCapacity
    {
        get { lock (_gate) { return _unreservedCapacity; } }
    }

    /// <summary>The pool's room for functions without a reservation (pool size less the admitted reservations).</summary>
    public void SetUnreservedCapacity(int capacity)
    {
        lock (_gate)
        {
            _unreservedCapacity = capacity;
            foreach (var function in _functions.Values)
            {
                if (function.Unreserved)
                {
                    Process(function);
                }
            }
        }
    }

    /// <summary>Leases of functions without a reservation, cluster-wide.</summary>
    public int UnreservedLeases()
    {
        lock (_gate)
        {
            var total = 0;
            foreach (var function in _functions.Values)
            {
                if (function.Unreserved)
                {
                    total += function.Leases.Count;
                }
            }

            return total;
        }
    }

    /// <summary>
    /// The most leases the function may hold: its reservation, or its share of the unreserved pool
    /// (what other unreserved functions do not hold); the reason a ticket beyond it is refused.
    /// </summary>
    private int Cap(FunctionEntry function, out RefusalReason reason)
    {
        if (function.Limits.Reserved is { } reserved)
        {
            reason = RefusalReason.ReservedLimitExceeded;
            return reserved;
        }

        reason = RefusalReason.PoolLimitExceeded;
        var learning = InLearningPeriod;
        var others = 0;
        foreach (var other in _functions.Values)
        {
            if (other != function && other.Unreserved)
            {
                others += other.Occupied(learning);
            }
        }

        return Math.Max(0, _unreservedCapacity - others);
    }
}
