namespace Lamina.Operator.Concurrency;

/// <summary>What time does, once a second: leases of gateways gone too long expire, reclaim rounds time out, the autoscaler runs.</summary>
internal sealed partial class ConcurrencyState
{
    /// <summary>
    /// Expires the leases of gateways gone for longer than the TTL, ends reclaim rounds that waited too
    /// long, ends learning, and runs the autoscaler over every function (one sample each).
    /// </summary>
    public void Tick()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var session in _sessions.Values.ToArray())
            {
                if (!session.Connected && session.ExpiresAt <= now)
                {
                    _sessions.Remove(session.GatewayId);
                    foreach (var leaseId in session.Leases.ToArray())
                    {
                        Free(leaseId);
                    }
                }
            }

            foreach (var function in _functions.Values.ToArray())
            {
                if (function.Round is { } round && now - round.Started >= _options.ReclaimTimeout)
                {
                    round.Waiting.Clear(); // whoever has not answered counts as all busy
                }

                Process(function);
                if (_leading)
                {
                    Autoscale(function, now);
                }

                if (function.Forgettable)
                {
                    _functions.Remove(function.Id);
                }
            }
        }
    }
}
