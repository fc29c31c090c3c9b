using Lamina.Concurrency.V1;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// Gateways: one session per gateway stream; what a gateway says (hello, releases, cancels, demand,
/// reclaim answers, tickets) and what it is sent (its outbox, with a heartbeat every time).
/// </summary>
internal sealed partial class ConcurrencyState
{
    /// <summary>
    /// A gateway opened a stream and said hello: its held leases are adopted (or revoked when they
    /// cannot be), the leases this leader knew it to hold and it no longer lists are freed, and its
    /// pending tickets are taken as new. Returns its session, or null when this replica does not lead.
    /// </summary>
    public GatewaySession? Connect(Hello hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        lock (_gate)
        {
            if (!_leading)
            {
                return null;
            }

            var session = new GatewaySession(hello.GatewayId, ++_nextConnection);
            if (_sessions.Remove(hello.GatewayId, out var previous))
            {
                // The same process on a new stream (the old one may not have ended yet): its waiting
                // tickets come again in this Hello, its leases move over as far as it lists them.
                previous.Connected = false;
                previous.Signal.Release();
                DropTickets(previous);
            }

            _sessions[hello.GatewayId] = session;
            foreach (var lease in hello.Held)
            {
                Adopt(session, lease);
            }

            if (previous is not null)
            {
                foreach (var leaseId in previous.Leases.ToArray())
                {
                    Free(leaseId); // held before, not listed now: the gateway dropped it
                }
            }

            foreach (var acquire in hello.Pending)
            {
                AcquireLocked(session, acquire);
            }

            return session;
        }
    }

    /// <summary>The gateway's stream ended: its tickets are dropped (it sends them again), its leases wait out the TTL.</summary>
    public void Disconnect(GatewaySession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_gate)
        {
            session.Connected = false;
            session.ExpiresAt = _time.GetUtcNow() + _options.LeaseTtl + _options.LeaseGrace;
            DropTickets(session);
        }
    }

    /// <summary>One message from a gateway: releases first (they may serve its own tickets), then the rest.</summary>
    public void Receive(GatewaySession session, GatewayMessage message)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            if (!_leading || !session.Connected)
            {
                return;
            }

            foreach (var leaseId in message.Releases)
            {
                if (session.Leases.Contains(leaseId))
                {
                    Free(leaseId);
                }
            }

            foreach (var cancel in message.Cancels)
            {
                foreach (var function in _functions.Values)
                {
                    if (function.RemoveTicket(session, cancel))
                    {
                        break;
                    }
                }
            }

            foreach (var demand in message.Demand)
            {
                var id = IdOf(demand.Function);
                session.Demand[id] = demand;
                if (demand.InFlight > 0 || demand.Waiting > 0 || demand.Started > 0)
                {
                    Function(id).LastActivity = _time.GetUtcNow();
                }
            }

            foreach (var reclaimed in message.Reclaimed)
            {
                foreach (var function in _functions.Values)
                {
                    if (function.Round is { } round && round.Id == reclaimed.Round)
                    {
                        round.Waiting.Remove(session);
                        round.Released += reclaimed.Released.Count;
                        Process(function);
                        break;
                    }
                }
            }

            foreach (var acquire in message.Acquires)
            {
                AcquireLocked(session, acquire);
            }
        }
    }

    /// <summary>What to send the gateway now; <see cref="ControllerMessage.LeaseTtlMs"/> is always set (a heartbeat).</summary>
    public ControllerMessage TakeOutbox(GatewaySession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_gate)
        {
            var message = session.Outbox;
            session.Outbox = new ControllerMessage();
            message.LeaseTtlMs = (int)_options.LeaseTtl.TotalMilliseconds;
            return message;
        }
    }

    /// <summary>Forgets the session's waiting tickets (its gateway sends them again) and stops waiting for its reclaim answers.</summary>
    private void DropTickets(GatewaySession session)
    {
        foreach (var function in _functions.Values)
        {
            if (function.ForgetSession(session))
            {
                Process(function);
            }
        }
    }
}
