using Lamina.Concurrency.V1;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// Answering tickets: a free environment under the cap is granted; at the cap a reclaim round asks the
/// holders for idle leases, and a round that brought none back refuses what waited (docs/concurrency.md,
/// "Reclaim instead of throttling below the cap").
/// </summary>
internal sealed partial class ConcurrencyState
{
    private void AcquireLocked(GatewaySession session, Acquire acquire)
    {
        var function = Function(IdOf(acquire.Function));
        var now = _time.GetUtcNow();
        function.LastActivity = now;
        function.Pending.AddLast(new Ticket(session, acquire.Ticket, ++_nextTicket));
        Process(function);
        if (function.Pending.Count > 0)
        {
            Poke(function, now);
        }
    }

    /// <summary>
    /// Answers the function's waiting tickets as far as it can now: a free environment under the cap is
    /// granted; at the cap a reclaim round asks holders for idle leases, and a round that brought none
    /// back refuses what waits; below the cap without a free environment the tickets wait for one.
    /// </summary>
    private void Process(FunctionEntry function)
    {
        if (!_leading)
        {
            return;
        }

        var now = _time.GetUtcNow();
        while (function.Pending.First is { } node)
        {
            var head = node.Value;
            if (!head.Session.Connected)
            {
                function.Pending.RemoveFirst(); // its gateway sends it again when it comes back
                continue;
            }

            if (function.Unservable() is { } refusal)
            {
                Refuse(function, head, refusal.Reason, refusal.Message);
                continue;
            }

            var cap = Cap(function, out var capReason);
            var learning = InLearningPeriod;
            var occupied = function.Occupied(learning);
            if (occupied < cap && function.FreeEnvironment(learning) is { } environment)
            {
                function.Pending.RemoveFirst();
                Grant(function, head, environment);
                continue;
            }

            if (function.Round is { } round)
            {
                if (round.Waiting.Count > 0)
                {
                    return; // answers are on their way
                }

                function.Round = null;
                if (round.Released == 0 && occupied >= cap && function.Leases.Count >= cap)
                {
                    // Every lease was busy when its holder was asked: what waited then is throttled.
                    while (function.Pending.First is { } waiting && waiting.Value.Sequence <= round.LastTicket)
                    {
                        Refuse(function, waiting.Value, capReason, function.ThrottleMessage(capReason));
                    }

                    continue;
                }
            }

            // Idle leases elsewhere are moved to where the demand is, at the cap or below it.
            if (function.Leases.Count > 0 && function.LastRoundTicket < head.Sequence)
            {
                StartRound(function, now);
                if (function.Round is not null)
                {
                    return;
                }
            }

            if (occupied >= cap && function.Leases.Count >= cap)
            {
                // At the cap, and every holder has been asked since this ticket arrived (or cannot be).
                Refuse(function, head, capReason, function.ThrottleMessage(capReason));
                continue;
            }

            // Below the cap: an environment is starting (Poke), or, while learning, an earlier leader's
            // lease may still be in use and must be waited for rather than throttled against.
            return;
        }
    }

    private void StartRound(FunctionEntry function, DateTimeOffset now)
    {
        var round = new ReclaimRound(++_nextRound, now, _nextTicket);
        foreach (var leaseId in function.Leases)
        {
            var session = _leases[leaseId].Session;
            if (session.Connected && round.Waiting.Add(session))
            {
                session.Outbox.Reclaims.Add(new Reclaim
                {
                    Round = round.Id,
                    Function = new FunctionRef { Namespace = function.Id.Namespace, Name = function.Id.Name },
                    Count = function.Pending.Count,
                });
                session.Signal.Release();
            }
        }

        function.LastRoundTicket = _nextTicket;
        function.Round = round.Waiting.Count > 0 ? round : null;
    }

    private void Grant(FunctionEntry function, Ticket ticket, EnvironmentEntry environment)
    {
        var leaseId = _leases.NewId();
        _leases.Add(new LeaseEntry(leaseId, function, environment.Info.Pod, ticket.Session));
        function.Leases.Add(leaseId);
        ticket.Session.Leases.Add(leaseId);
        environment.Lease = leaseId;
        ticket.Session.Outbox.Grants.Add(new Grant
        {
            Ticket = ticket.Id,
            Lease = new Lease
            {
                LeaseId = leaseId,
                Function = new FunctionRef { Namespace = function.Id.Namespace, Name = function.Id.Name },
                Pod = environment.Info.Pod,
                Address = environment.Info.Address ?? string.Empty,
                Provisioned = environment.Info.Provisioned,
            },
        });
        ticket.Session.Signal.Release();
    }

    private static void Refuse(FunctionEntry function, Ticket ticket, RefusalReason reason, string message)
    {
        function.Pending.Remove(ticket);
        ticket.Session.Outbox.Refusals.Add(new Refusal { Ticket = ticket.Id, Reason = reason, Message = message });
        ticket.Session.Signal.Release();
    }
}
