using Lamina.Concurrency.V1;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// Leases after their grant: adopted from a gateway's hello, freed when given back or expired (which
/// may serve waiting tickets, of this function or, for pool room, of others), revoked when their
/// environment can no longer take invocations. A revoked lease counts until it is given back.
/// </summary>
internal sealed partial class ConcurrencyState
{
    /// <summary>A gateway announced a lease it holds: keep it if it can run on, else ask for it back.</summary>
    private void Adopt(GatewaySession session, Lease held)
    {
        if (_leases.TryGet(held.LeaseId, out var known))
        {
            if (known.Session.GatewayId == session.GatewayId)
            {
                known.Session.Leases.Remove(held.LeaseId);
                known.Session = session;
                session.Leases.Add(held.LeaseId);
                if (known.Revoked)
                {
                    // Revoked while its gateway was away (or in an outbox that stream never sent).
                    session.Outbox.Revokes.Add(held.LeaseId);
                    session.Signal.Release();
                }
            }
            else
            {
                session.Outbox.Revokes.Add(held.LeaseId); // another gateway's: a stale copy
            }

            return;
        }

        var function = Function(IdOf(held.Function));
        var lease = new LeaseEntry(held.LeaseId, function, held.Pod, session);
        _leases.Add(lease);
        function.Leases.Add(held.LeaseId);
        session.Leases.Add(held.LeaseId);
        if (function.Environments.TryGetValue(held.Pod, out var environment) && environment.Lease is null && environment.Ready)
        {
            environment.Lease = held.LeaseId;
        }
        else
        {
            // Counted until given back (its invocation may still run), but not used again.
            Revoke(lease);
        }
    }

    /// <summary>A lease is given back (or its gateway expired): its environment is free again.</summary>
    private void Free(string leaseId)
    {
        if (!_leases.Remove(leaseId, out var lease))
        {
            return;
        }

        lease.Session.Leases.Remove(leaseId);
        var function = lease.Function;
        function.Leases.Remove(leaseId);
        if (function.Environments.TryGetValue(lease.Pod, out var environment) && environment.Lease == leaseId)
        {
            environment.Lease = null;
        }

        Process(function);
        if (function.Unreserved)
        {
            // Pool room came back: another unreserved function may be waiting for it.
            foreach (var other in _functions.Values)
            {
                if (other != function && other.Unreserved && other.Pending.Count > 0)
                {
                    Process(other);
                }
            }
        }
    }

    private static void Revoke(LeaseEntry lease)
    {
        if (lease.Revoked)
        {
            return;
        }

        lease.Revoked = true;
        if (lease.Session.Connected)
        {
            lease.Session.Outbox.Revokes.Add(lease.Id);
            lease.Session.Signal.Release();
        }
    }
}
