using System.Globalization;
using System.Security.Cryptography;
using Lamina.Concurrency.V1;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// The concurrency controller's state: functions, their environments, the leases gateways hold on
/// them, tickets waiting for an environment and reclaim rounds, under one lock and without I/O (the
/// gRPC service, the environment tracker and the scale writer feed it and carry out what it decides).
/// The rules are in docs/concurrency.md; the one that matters most: a function never has more leases
/// than its cap, and one lease runs at most one invocation, so its executions never exceed the cap.
/// </summary>
internal sealed class ConcurrencyState
{
    private readonly Lock _gate = new();
    private readonly ConcurrencyOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<FunctionId, FunctionEntry> _functions = [];
    private readonly Dictionary<string, LeaseEntry> _leases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GatewaySession> _sessions = new(StringComparer.Ordinal);
    private readonly Action<FunctionId, int> _scale;
    private readonly Action<FunctionId> _statusChanged;
    private readonly Action<FunctionId, ScaleEvent>? _decided;
    private int _unreservedCapacity;
    private long _nextLease;
    private ulong _nextRound;
    private long _nextTicket;
    private long _nextConnection;
    private string _epoch = NewEpoch();
    private DateTimeOffset _learningUntil;
    private bool _leading;

    /// <param name="options">Pool, TTLs and windows.</param>
    /// <param name="time">The clock (a fake one in tests).</param>
    /// <param name="scale">Called (under the lock: only queue the work) with a function's new on-demand replicas.</param>
    /// <param name="statusChanged">Called (under the lock) when a function's <see cref="FunctionScale"/> changed.</param>
    /// <param name="decided">Called (under the lock) with each decision that changed a function's desired environments.</param>
    public ConcurrencyState(ConcurrencyOptions options, TimeProvider time, Action<FunctionId, int> scale, Action<FunctionId> statusChanged, Action<FunctionId, ScaleEvent>? decided = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        _scale = scale;
        _statusChanged = statusChanged;
        _decided = decided;
        _unreservedCapacity = options.PoolSize;
    }

    /// <summary>True while this replica leads and so may grant.</summary>
    public bool Leading
    {
        get { lock (_gate) { return _leading; } }
    }

    /// <summary>True while a new leader learns the leases gateways already hold.</summary>
    public bool Learning
    {
        get { lock (_gate) { return _leading && _time.GetUtcNow() < _learningUntil; } }
    }

    // ------------------------------------------------------------------ leadership

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
            _epoch = NewEpoch();
            _learningUntil = _time.GetUtcNow() + _options.LeaseTtl;
            _leases.Clear();
            _sessions.Clear();
            foreach (var function in _functions.Values)
            {
                function.Leases.Clear();
                function.Pending.Clear();
                function.Round = null;
                foreach (var environment in function.Environments.Values)
                {
                    environment.Lease = null;
                    environment.Known = environment.Info.Serving;
                }
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

    // ------------------------------------------------------------------ functions and environments

    /// <summary>A Function exists with these limits (from its spec and the pool's admission).</summary>
    public void SetFunction(FunctionId id, FunctionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        lock (_gate)
        {
            var function = Function(id);
            function.Limits = limits;
            function.Exists = true;
            Process(function);
        }
    }

    /// <summary>The Function is gone: its waiting tickets are refused; its leases are revoked.</summary>
    public void RemoveFunction(FunctionId id)
    {
        lock (_gate)
        {
            if (!_functions.TryGetValue(id, out var function))
            {
                return;
            }

            function.Exists = false;
            Process(function);
            foreach (var lease in function.Leases)
            {
                Revoke(_leases[lease]);
            }
        }
    }

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
                if (function.Limits.Reserved is null)
                {
                    Process(function);
                }
            }
        }
    }

    /// <summary>An environment appeared or changed (pod informer, or the shim answered a readiness probe).</summary>
    public void SetEnvironment(FunctionId id, EnvironmentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (_gate)
        {
            var function = Function(id);
            if (function.Environments.TryGetValue(info.Pod, out var environment) && environment.Info.Uid != info.Uid)
            {
                Drop(function, environment);
                environment = null;
            }

            if (environment is null)
            {
                environment = new EnvironmentEntry(info);
                function.Environments[info.Pod] = environment;
            }

            environment.Info = info;
            if (!(info.Serving && !info.Terminating) && environment.Lease is { } lease)
            {
                Revoke(_leases[lease]); // the gateway gives it back once its invocation (if any) ends
            }

            Process(function);
            StatusChanged(function);
        }
    }

    /// <summary>The pod is gone.</summary>
    public void RemoveEnvironment(FunctionId id, string pod)
    {
        lock (_gate)
        {
            if (_functions.TryGetValue(id, out var function) && function.Environments.TryGetValue(pod, out var environment))
            {
                Drop(function, environment);
                Process(function);
                StatusChanged(function);
            }
        }
    }

    /// <summary>Why the function cannot start an environment now (bad image, crash loop), or null when nothing says so.</summary>
    public void SetFailure(FunctionId id, string? failure)
    {
        lock (_gate)
        {
            var function = Function(id);
            if (function.Failure != failure)
            {
                function.Failure = failure;
                Process(function);
            }
        }
    }

    // ------------------------------------------------------------------ gateways

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

    /// <summary>Forgets the session's waiting tickets (its gateway sends them again) and stops waiting for its reclaim answers.</summary>
    private void DropTickets(GatewaySession session)
    {
        foreach (var function in _functions.Values)
        {
            var removed = false;
            for (var node = function.Pending.First; node is not null;)
            {
                var next = node.Value;
                var following = node.Next;
                if (next.Session == session)
                {
                    function.Pending.Remove(node);
                    removed = true;
                }

                node = following;
            }

            if (function.Round is { } round && round.Waiting.Remove(session))
            {
                removed = true;
            }

            if (removed)
            {
                Process(function);
            }
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
                    if (RemoveTicket(function, session, cancel))
                    {
                        break;
                    }
                }
            }

            foreach (var demand in message.Demand)
            {
                var id = new FunctionId(demand.Function.Namespace, demand.Function.Name);
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

    // ------------------------------------------------------------------ time

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

                if (!function.Exists && function.Environments.Count == 0 && function.Leases.Count == 0 && function.Pending.Count == 0)
                {
                    _functions.Remove(function.Id);
                }
            }
        }
    }

    // ------------------------------------------------------------------ reading

    /// <summary>The figures the reconciler writes into the Function's status; null when this replica does not lead.</summary>
    public FunctionScale? Scale(FunctionId id)
    {
        lock (_gate)
        {
            if (!_leading || !_functions.TryGetValue(id, out var function) || !function.Decided)
            {
                return null;
            }

            var ready = 0;
            var provisionedReady = 0;
            foreach (var environment in function.Environments.Values)
            {
                if (environment.Info is { Serving: true, Terminating: false })
                {
                    ready++;
                    if (environment.Info.Provisioned)
                    {
                        provisionedReady++;
                    }
                }
            }

            return new FunctionScale(function.OnDemandReplicas, function.Desired, ready, Busy(function), provisionedReady, function.LastScale);
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

    /// <summary>Leases of functions without a reservation, cluster-wide.</summary>
    public int UnreservedLeases()
    {
        lock (_gate)
        {
            var total = 0;
            foreach (var function in _functions.Values)
            {
                if (function.Limits.Reserved is null)
                {
                    total += function.Leases.Count;
                }
            }

            return total;
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
                if (!function.Exists)
                {
                    continue;
                }

                var ready = 0;
                var provisionedReady = 0;
                foreach (var environment in function.Environments.Values)
                {
                    if (environment.Info is { Serving: true, Terminating: false })
                    {
                        ready++;
                        if (environment.Info.Provisioned)
                        {
                            provisionedReady++;
                        }
                    }
                }

                gauges.Add(new FunctionGauges(function.Id, function.Limits.Reserved, Busy(function), function.Leases.Count, ready,
                    function.Desired, function.Environments.Count, provisionedReady, function.ReportedProvisionedInFlight, function.Limits.Provisioned,
                    function.Limits.TimeoutSeconds));
            }

            return gauges;
        }
    }

    // ------------------------------------------------------------------ the rules

    private void AcquireLocked(GatewaySession session, Acquire acquire)
    {
        var id = new FunctionId(acquire.Function.Namespace, acquire.Function.Name);
        var function = Function(id);
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

            if (Unservable(function) is { } refusal)
            {
                Refuse(function, head, refusal.Reason, refusal.Message);
                continue;
            }

            var cap = Cap(function, out var capReason);
            var occupied = Occupied(function);
            if (occupied < cap && FreeEnvironment(function) is { } environment)
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
                        Refuse(function, waiting.Value, capReason, ThrottleMessage(function, capReason));
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
                Refuse(function, head, capReason, ThrottleMessage(function, capReason));
                continue;
            }

            // Below the cap: an environment is starting (Poke), or, while learning, an earlier leader's
            // lease may still be in use and must be waited for rather than throttled against.
            return;
        }
    }

    /// <summary>Why no ticket of the function can be served at all, or null.</summary>
    private static (RefusalReason Reason, string Message)? Unservable(FunctionEntry function)
    {
        if (!function.Exists)
        {
            return (RefusalReason.UnknownFunction, $"Function not found: {function.Id}");
        }

        if (function.Limits.Refused is { } refused)
        {
            return (RefusalReason.FunctionFailed, refused);
        }

        if (function.Limits.Reserved == 0)
        {
            return (RefusalReason.ReservedLimitExceeded, ThrottleMessage(function, RefusalReason.ReservedLimitExceeded));
        }

        if (function.Failure is { } failure && !HasServing(function))
        {
            return (RefusalReason.FunctionFailed, $"Function {function.Id} cannot start an execution environment: {failure}");
        }

        return null;
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
        var leaseId = string.Create(CultureInfo.InvariantCulture, $"{_epoch}-{++_nextLease}");
        var lease = new LeaseEntry(leaseId, function, environment.Info.Pod, ticket.Session);
        _leases[leaseId] = lease;
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

    private static bool RemoveTicket(FunctionEntry function, GatewaySession session, ulong id)
    {
        for (var node = function.Pending.First; node is not null; node = node.Next)
        {
            if (node.Value.Session == session && node.Value.Id == id)
            {
                function.Pending.Remove(node);
                return true;
            }
        }

        return false;
    }

    /// <summary>A gateway announced a lease it holds: keep it if it can run on, else ask for it back.</summary>
    private void Adopt(GatewaySession session, Lease held)
    {
        if (_leases.TryGetValue(held.LeaseId, out var known))
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

        var id = new FunctionId(held.Function.Namespace, held.Function.Name);
        var function = Function(id);
        var lease = new LeaseEntry(held.LeaseId, function, held.Pod, session);
        _leases[held.LeaseId] = lease;
        function.Leases.Add(held.LeaseId);
        session.Leases.Add(held.LeaseId);
        if (function.Environments.TryGetValue(held.Pod, out var environment) && environment.Lease is null
            && environment.Info is { Serving: true, Terminating: false })
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
        if (function.Limits.Reserved is null)
        {
            // Pool room came back: another unreserved function may be waiting for it.
            foreach (var other in _functions.Values)
            {
                if (other != function && other.Limits.Reserved is null && other.Pending.Count > 0)
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

    private void Drop(FunctionEntry function, EnvironmentEntry environment)
    {
        function.Environments.Remove(environment.Info.Pod);
        if (environment.Lease is { } leaseId && _leases.TryGetValue(leaseId, out var lease))
        {
            Revoke(lease); // stays counted until the gateway gives it back: its invocation may still be ending
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
        var others = 0;
        foreach (var other in _functions.Values)
        {
            if (other != function && other.Limits.Reserved is null)
            {
                others += Occupied(other);
            }
        }

        return Math.Max(0, _unreservedCapacity - others);
    }

    /// <summary>
    /// Leases, plus while learning the environments an earlier leader may have leased to a gateway that
    /// has not said hello yet: those that served before this replica led and carry no adopted lease.
    /// </summary>
    private int Occupied(FunctionEntry function)
    {
        var occupied = function.Leases.Count;
        if (_time.GetUtcNow() < _learningUntil)
        {
            foreach (var environment in function.Environments.Values)
            {
                if (environment.Lease is null && environment.Known)
                {
                    occupied++;
                }
            }
        }

        return occupied;
    }

    /// <summary>A serving environment nobody leases: provisioned ones first (they are what provisioned concurrency is for).</summary>
    private EnvironmentEntry? FreeEnvironment(FunctionEntry function)
    {
        var learning = _time.GetUtcNow() < _learningUntil;
        EnvironmentEntry? onDemand = null;
        foreach (var environment in function.Environments.Values)
        {
            if (environment.Lease is not null || environment.Info is not { Serving: true, Terminating: false, Address: not null }
                || (learning && environment.Known))
            {
                continue;
            }

            if (environment.Info.Provisioned)
            {
                return environment;
            }

            onDemand ??= environment;
        }

        return onDemand;
    }

    private static bool HasServing(FunctionEntry function)
    {
        foreach (var environment in function.Environments.Values)
        {
            if (environment.Info is { Serving: true, Terminating: false })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Invocations running now, as the gateways last reported (leases may be idle; these are not).</summary>
    private static int Busy(FunctionEntry function) => function.ReportedInFlight;

    /// <summary>
    /// A ticket could not be served by an environment that exists: ask for enough environments for every
    /// lease and every waiting ticket now, without waiting for the next tick (Knative's "poke").
    /// </summary>
    private void Poke(FunctionEntry function, DateTimeOffset now)
    {
        var limits = function.Limits;
        if (Unservable(function) is not null)
        {
            return;
        }

        var cap = Math.Max(Cap(function, out _), limits.Provisioned);
        var required = Math.Min(function.Leases.Count + function.Pending.Count, cap);
        if (required > function.Desired)
        {
            SetDesired(function, Math.Max(required, limits.Provisioned), now,
                string.Create(CultureInfo.InvariantCulture, $"{function.Pending.Count} invocations waiting and {function.Leases.Count} environments leased now"));
        }
    }

    private void Autoscale(FunctionEntry function, DateTimeOffset now)
    {
        var inFlight = 0;
        var provisionedInFlight = 0;
        var waiting = 0;
        foreach (var session in _sessions.Values)
        {
            if (session.Connected && session.Demand.TryGetValue(function.Id, out var demand))
            {
                inFlight += demand.InFlight;
                provisionedInFlight += demand.ProvisionedInFlight;
                waiting += demand.Waiting;
            }
        }

        function.ReportedInFlight = inFlight;
        function.ReportedProvisionedInFlight = provisionedInFlight;
        var observed = inFlight + waiting;
        function.Autoscaler.Record(now, observed);
        if (function.LastActivity is { } activity)
        {
            function.Autoscaler.Touch(activity);
        }

        if (!function.Exists)
        {
            return;
        }

        var limits = function.Limits;
        var floor = limits.Refused is null ? limits.Provisioned : 0;
        var cap = limits.Refused is not null ? 0 : limits.Reserved ?? Math.Max(floor, _unreservedCapacity);
        var ready = 0;
        foreach (var environment in function.Environments.Values)
        {
            if (environment.Info is { Serving: true, Terminating: false })
            {
                ready++;
            }
        }

        // What the controller itself sees now (leases and tickets) counts too: a gateway's report may be
        // a second old, and a burst that has just arrived must not be scaled away.
        var demandNow = Math.Max(observed, function.Leases.Count + function.Pending.Count);
        var decision = function.Autoscaler.Decide(now, new ScaleInputs(demandNow, ready, function.Desired, floor, cap, limits.IdleAfter));
        if (decision.Desired != function.Desired || !function.Decided)
        {
            SetDesired(function, decision.Desired, now, decision.Reason);
        }

        var previousBusy = function.PublishedBusy;
        function.PublishedBusy = Busy(function);
        if (previousBusy != function.PublishedBusy)
        {
            StatusChanged(function);
        }
    }

    private void SetDesired(FunctionEntry function, int desired, DateTimeOffset now, string reason)
    {
        var before = function.Desired;
        var firstDecision = !function.Decided;
        function.Decided = true;
        function.Desired = desired;
        var onDemand = Math.Max(0, desired - (function.Limits.Refused is null ? function.Limits.Provisioned : 0));
        if (desired != before)
        {
            function.LastScale = new ScaleEvent(now, before, desired, reason);
            _decided?.Invoke(function.Id, function.LastScale);
        }

        if (onDemand != function.OnDemandReplicas || firstDecision)
        {
            function.OnDemandReplicas = onDemand;
            _scale(function.Id, onDemand);
        }

        StatusChanged(function);
    }

    private void StatusChanged(FunctionEntry function)
    {
        if (_leading && function.Decided)
        {
            _statusChanged(function.Id);
        }
    }

    private static string ThrottleMessage(FunctionEntry function, RefusalReason reason) => reason == RefusalReason.ReservedLimitExceeded
        ? string.Create(CultureInfo.InvariantCulture, $"Rate Exceeded. Function {function.Id} is at its reserved concurrency ({function.Limits.Reserved}).")
        : "Rate Exceeded. The cluster's unreserved concurrency is in use.";

    private FunctionEntry Function(FunctionId id)
    {
        if (!_functions.TryGetValue(id, out var function))
        {
            function = new FunctionEntry(id, new FunctionAutoscaler(_options));
            _functions[id] = function;
        }

        return function;
    }

    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>A waiting invocation's ask; <paramref name="Sequence"/> orders every ticket this leader took.</summary>
    private sealed record Ticket(GatewaySession Session, ulong Id, long Sequence);

    private sealed class ReclaimRound(ulong id, DateTimeOffset started, long lastTicket)
    {
        public ulong Id { get; } = id;

        public DateTimeOffset Started { get; } = started;

        /// <summary>The newest ticket when the holders were asked: those up to it are answered by the round.</summary>
        public long LastTicket { get; } = lastTicket;

        public HashSet<GatewaySession> Waiting { get; } = [];

        public int Released { get; set; }
    }

    private sealed class LeaseEntry(string id, FunctionEntry function, string pod, GatewaySession session)
    {
        public string Id { get; } = id;

        public FunctionEntry Function { get; } = function;

        public string Pod { get; } = pod;

        public GatewaySession Session { get; set; } = session;

        public bool Revoked { get; set; }
    }

    private sealed class EnvironmentEntry(EnvironmentInfo info)
    {
        public EnvironmentInfo Info { get; set; } = info;

        public string? Lease { get; set; }

        /// <summary>It existed when this replica started leading: an earlier leader may have leased it.</summary>
        public bool Known { get; set; }
    }

    private sealed class FunctionEntry(FunctionId id, FunctionAutoscaler autoscaler)
    {
        public FunctionId Id { get; } = id;

        public FunctionAutoscaler Autoscaler { get; } = autoscaler;

        public FunctionLimits Limits { get; set; } = new(null, 0, TimeSpan.FromSeconds(300));

        public bool Exists { get; set; }

        public string? Failure { get; set; }

        public Dictionary<string, EnvironmentEntry> Environments { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Leases { get; } = new(StringComparer.Ordinal);

        public LinkedList<Ticket> Pending { get; } = new();

        public ReclaimRound? Round { get; set; }

        /// <summary>The newest ticket when the last reclaim round started: tickets up to it were already asked for.</summary>
        public long LastRoundTicket { get; set; }

        public DateTimeOffset? LastActivity { get; set; }

        public bool Decided { get; set; }

        public int Desired { get; set; }

        public int OnDemandReplicas { get; set; }

        public ScaleEvent? LastScale { get; set; }

        public int ReportedInFlight { get; set; }

        /// <summary>Of <see cref="ReportedInFlight"/>, those on provisioned environments (gateways that predate the field report 0).</summary>
        public int ReportedProvisionedInFlight { get; set; }

        public int PublishedBusy { get; set; }
    }
}
