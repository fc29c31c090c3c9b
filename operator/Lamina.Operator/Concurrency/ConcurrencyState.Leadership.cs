namespace Lamina.Operator.Concurrency;

/// <summary>
/// Leadership: only the leader grants, and a new leader first learns, for one lease TTL, the leases an
/// earlier leader granted (docs/concurrency.md, "A new leader learns before it grants").
/// </summary>
internal sealed partial class ConcurrencyState
{
    /// <summary>True while this replica leads and so may grant.</summary>
    public bool Leading
    {
        get { lock (_gate) { return _leading; } }
    }

    /// <summary>True while a new leader learns the leases gateways already hold.</summary>
    public bool Learning
    {
        get { lock (_gate) { return _leading && InLearningPeriod; } }
    }

    /// <summary>Within the learning period since this replica last started leading (under the lock).</summary>
    private bool InLearningPeriod => _time.GetUtcNow() < _learningUntil;

    /// <summary>
    /// This replica now leads: everything learned as a standby is forgotten (environments stay: the
    /// informer keeps them), and for <see cref="ConcurrencyOptions.LeaseTtl"/> the leases an earlier
    /// leader granted are assumed held unless gateways say otherwise.
    /// </summary>
    public void StartLeading()
    {
        lock (_gate)
        {
            _leading = true;
            _learningUntil = _time.GetUtcNow() + _options.LeaseTtl;
            _leases.Restart();
            _sessions.Clear();
            foreach (var function in _functions.Values)
            {
                function.ForgetLeadership();
            }
        }
    }

    /// <summary>Leadership ended: every session is dropped (their streams are cancelled by the service).</summary>
    public void StopLeading()
    {
        lock (_gate)
        {
            _leading = false;
            foreach (var session in _sessions.Values)
            {
                session.Connected = false;
                session.Signal.Release();
            }

            _sessions.Clear();
        }
    }
}
