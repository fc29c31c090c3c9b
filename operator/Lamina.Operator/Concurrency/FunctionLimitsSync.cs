using Lamina.Operator.Api;
using Lamina.Operator.Reconciliation;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// Feeds <see cref="ConcurrencyState"/> each Function's limits: its reserved and provisioned
/// concurrency as the pool admits them (<see cref="ReservationAdmission"/>), its idle time and its timeout. A change to
/// one reservation can change others' admission and the unreserved room, so every change re-reads all.
/// </summary>
internal sealed class FunctionLimitsSync(ConcurrencyState state, IObjectLister<Function> functions, ConcurrencyOptions options)
{
    private readonly Lock _gate = new();
    private Dictionary<FunctionId, FunctionLimits> _known = [];

    /// <summary>Reads every Function again, tells the state what changed, and returns the Functions whose admission to the pool changed.</summary>
    public IReadOnlyList<FunctionId> Sync()
    {
        var admissionChanged = new List<FunctionId>();
        lock (_gate)
        {
            var all = functions.List();
            var admission = ReservationAdmission.Admit(all, options);
            var now = new Dictionary<FunctionId, FunctionLimits>(all.Count);
            foreach (var function in all)
            {
                if (function.Metadata.DeletionTimestamp is not null)
                {
                    continue;
                }

                var id = new FunctionId(function.Metadata.NamespaceProperty!, function.Metadata.Name!);
                var refused = admission.RefusalOf(id.Namespace, id.Name);
                now[id] = new FunctionLimits(
                    refused is null ? function.Spec.Concurrency?.Reserved : 0,
                    refused is null ? function.Spec.Concurrency?.Provisioned ?? 0 : 0,
                    TimeSpan.FromSeconds(function.Spec.Scaling?.IdleSeconds ?? FunctionDefaults.IdleSeconds),
                    refused is null ? null : $"Function {id} may not run: {refused}",
                    function.Spec.TimeoutSeconds ?? FunctionDefaults.TimeoutSeconds);
            }

            state.SetUnreservedCapacity(admission.UnreservedCapacity);
            foreach (var (id, limits) in now)
            {
                if (!_known.TryGetValue(id, out var before) || before != limits)
                {
                    state.SetFunction(id, limits);
                    if (before is not null && (before.Refused is null) != (limits.Refused is null))
                    {
                        admissionChanged.Add(id);
                    }
                }
            }

            foreach (var id in _known.Keys)
            {
                if (!now.ContainsKey(id))
                {
                    state.RemoveFunction(id);
                }
            }

            _known = now;
        }

        return admissionChanged;
    }

    /// <summary>Forgets what was sent (a new leader's state starts empty of limits it has not been told).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _known = [];
        }
    }
}
