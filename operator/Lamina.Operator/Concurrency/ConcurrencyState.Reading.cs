namespace Lamina.Operator.Concurrency;

/// <summary>Views of the state for the reconciler's status, the gauges and tests; each reads under the lock and changes nothing.</summary>
internal sealed partial class ConcurrencyState
{
    /// <summary>The figures the reconciler writes into the Function's status; null when this replica does not lead.</summary>
    public FunctionScale? Scale(FunctionId id)
    {
        lock (_gate)
        {
            if (!_leading || !_functions.TryGetValue(id, out var function) || !function.Decided)
            {
                return null;
            }

            return function.ToScale();
        }
    }

    /// <summary>Leases of the function now (for tests and metrics).</summary>
    public int LeaseCount(FunctionId id)
    {
        lock (_gate)
        {
            return _functions.TryGetValue(id, out var function) ? function.Leases.Count : 0;
        }
    }

    /// <summary>Per function: in flight (as gateways report, all and on provisioned environments), leases, ready and desired environments, for the gauges.</summary>
    public IReadOnlyList<FunctionGauges> Gauges()
    {
        lock (_gate)
        {
            var gauges = new List<FunctionGauges>(_functions.Count);
            foreach (var function in _functions.Values)
            {
                if (function.Exists)
                {
                    gauges.Add(function.ToGauges());
                }
            }

            return gauges;
        }
    }
}
