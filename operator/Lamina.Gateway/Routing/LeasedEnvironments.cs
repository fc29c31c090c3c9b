using Lamina.Concurrency.V1;

namespace Lamina.Gateway.Routing;

/// <summary>
/// One function's leased environments as this replica sees them (idle, in flight, resting) and its
/// queue of waiting invocations, under one lock. The rules:
/// <list type="bullet">
/// <item>An invocation takes the first idle environment, with no word to the controller; an
/// environment that answered goes back to the front (most recently used first), a new or rested one
/// to the back.</item>
/// <item>With none idle, the invocation waits in the queue and holds one ticket at the controller.
/// An environment that becomes available (granted, freed, rested) goes to the head of the queue
/// (the waiter is signalled: nobody polls). The head's ticket is then surplus: when the grant named
/// another waiter's ticket, that waiter takes the head's; otherwise the head's is cancelled. So each
/// waiting invocation keeps exactly one outstanding ticket.</item>
/// <item>An environment that answered busy rests, doubling from <see cref="RoutingOptions.RetryDelay"/>
/// to <see cref="RoutingOptions.MaxRetryDelay"/>, before it is offered again; one that is unavailable,
/// unreachable or lost is released (the controller knows what became of its pod).</item>
/// <item>A lease is released when it has idled for <c>IdleRelease</c>, when it is revoked (at once,
/// or when its invocation ends), when the controller reclaims it, and when leases expire.</item>
/// <item>A pool with no lease, no waiters and nothing in flight retires: the router drops it, and
/// anyone holding it asks the router again.</item>
/// </list>
/// </summary>
internal sealed class LeasedEnvironments
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, EnvironmentSlot> _slots = new(StringComparer.Ordinal);
    private readonly LinkedList<EnvironmentSlot> _idle = new();
    private readonly LinkedList<QueueWaiter> _waiters = new();
    private readonly Dictionary<ulong, QueueWaiter> _tickets = [];
    private readonly IConcurrencyOutbox _outbox;
    private readonly PoolIndex _index;
    private readonly int _queueSize;
    private readonly TimeSpan _retryDelay;
    private readonly TimeSpan _maxRetryDelay;
    private readonly TimeProvider _time;
    private int _queueDepth;
    private int _inFlight;
    private int _provisionedInFlight;
    private int _leases;
    private long _started;
    private bool _isRetired;

    /// <summary>An empty pool, listed in <paramref name="index"/> by its owner; it takes itself out when it retires.</summary>
    public LeasedEnvironments(FunctionKey function, RoutingOptions options, IConcurrencyOutbox outbox, TimeProvider time, PoolIndex index)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(index);
        Function = function;
        Tags = [new("namespace", function.Namespace), new("function", function.Name)];
        _queueSize = options.QueueSize;
        _retryDelay = options.RetryDelay;
        _maxRetryDelay = options.MaxRetryDelay;
        _outbox = outbox;
        _time = time;
        _index = index;
    }

    public FunctionKey Function { get; }

    /// <summary>The metric labels, made once: <c>namespace</c> and <c>function</c>.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>Invocations waiting now (read without the lock, for metrics).</summary>
    public int QueueDepth => Volatile.Read(ref _queueDepth);

    /// <summary>Invocations from this replica on an environment now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Of <see cref="InFlight"/>, those on provisioned-concurrency environments.</summary>
    public int ProvisionedInFlight => Volatile.Read(ref _provisionedInFlight);

    /// <summary>Leases held now, whatever their state.</summary>
    public int Leases => Volatile.Read(ref _leases);

    /// <summary>Environments idle now.</summary>
    public int IdleCount
    {
        get { lock (_gate) { return _idle.Count; } }
    }

    /// <summary>Lends the first idle environment, else queues the caller with a new ticket (or says the queue is full).</summary>
    public Acquisition Acquire()
    {
        lock (_gate)
        {
            if (_isRetired)
            {
                return Acquisition.Retired;
            }

            if (_idle.First is { } first)
            {
                _idle.Remove(first);
                Lend(first.Value);
                return new Acquisition(first.Value, null, false);
            }

            if (_waiters.Count >= _queueSize)
            {
                RetireIfEmpty(); // a pool made just for this ask (no environments, no queue) is not kept
                return Acquisition.Full;
            }

            var waiter = new QueueWaiter(this);
            AskFor(waiter);
            _waiters.AddLast(waiter.Node);
            Volatile.Write(ref _queueDepth, _waiters.Count);
            return new Acquisition(null, waiter, false);
        }
    }

    /// <summary>
    /// Takes a waiter out of the queue because its caller left (<paramref name="cancelled"/>) or its
    /// wait expired, and cancels its ticket. Nothing happens if it was answered first: that answer stands.
    /// </summary>
    public void Leave(QueueWaiter waiter, bool expired, CancellationToken cancelled)
    {
        ArgumentNullException.ThrowIfNull(waiter);
        lock (_gate)
        {
            if (waiter.Node.List is null)
            {
                return;
            }

            Dequeue(waiter);
            Withdraw(waiter.Ticket);
            if (expired)
            {
                waiter.Expire();
            }
            else
            {
                waiter.Cancel(cancelled);
            }

            RetireIfEmpty();
        }
    }

    /// <summary>An invocation is done with <paramref name="slot"/>.</summary>
    public void Return(EnvironmentSlot slot, ReturnKind kind)
    {
        ArgumentNullException.ThrowIfNull(slot);
        lock (_gate)
        {
            Volatile.Write(ref _inFlight, _inFlight - 1);
            if (slot.Lease.Provisioned)
            {
                Volatile.Write(ref _provisionedInFlight, _provisionedInFlight - 1);
            }

            if (slot.Revoked || kind == ReturnKind.Release)
            {
                Release(slot);
                RetireIfEmpty();
                return;
            }

            switch (kind)
            {
                case ReturnKind.Answered:
                    slot.Refusals = 0;
                    Offer(slot, front: true);
                    break;
                case ReturnKind.Unused:
                    Offer(slot, front: true);
                    break;
                default:
                    slot.Refusals++;
                    Rest(slot);
                    break;
            }
        }
    }

    /// <summary>
    /// The controller granted <paramref name="lease"/> for <paramref name="ticket"/>: the environment
    /// goes to the head of the queue, or idles when nobody waits (the ticket's caller left). False
    /// when the pool has retired: grant it on the router's current pool.
    /// </summary>
    public bool Grant(ulong ticket, Lease lease, FunctionEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(environment);
        lock (_gate)
        {
            if (_isRetired)
            {
                return false;
            }

            var owner = TakeTicket(ticket);
            if (_slots.ContainsKey(lease.LeaseId))
            {
                // Granted twice: the lease is already here. The owner's ticket is spent; it asks again.
                if (owner is not null)
                {
                    AskFor(owner);
                }

                return true;
            }

            var slot = new EnvironmentSlot(this, lease, environment);
            _slots.Add(lease.LeaseId, slot);
            _index.Leases[lease.LeaseId] = slot;
            Volatile.Write(ref _leases, _slots.Count);
            if (_waiters.First is { } head && owner is not null && owner != head.Value)
            {
                // The environment goes to the head; the ticket's owner inherits the head's ticket.
                var inherited = head.Value.Ticket;
                owner.Ticket = inherited;
                _tickets[inherited] = owner;
                Dequeue(head.Value);
                Lend(slot);
                head.Value.Grant(slot);
                return true;
            }

            if (owner is not null)
            {
                Dequeue(owner);
                Lend(slot);
                owner.Grant(slot);
                return true;
            }

            Offer(slot, front: false);
            return true;
        }
    }

    /// <summary>
    /// A ticket's grant could not be used (its address is not one): the waiter holding it, if any,
    /// asks again with a new ticket.
    /// </summary>
    public void Reissue(ulong ticket)
    {
        lock (_gate)
        {
            if (TakeTicket(ticket) is { } owner)
            {
                AskFor(owner);
            }
        }
    }

    /// <summary>The controller refused the ticket: the waiter holding it leaves the queue with <paramref name="result"/>.</summary>
    public void Refuse(ulong ticket, RouteResult result)
    {
        lock (_gate)
        {
            if (TakeTicket(ticket) is not { } waiter)
            {
                return;
            }

            Dequeue(waiter);
            waiter.Refuse(result);
            RetireIfEmpty();
        }
    }

    /// <summary>The lease goes back now, or when the invocation on it ends; it is never lent again.</summary>
    public void Revoke(EnvironmentSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        lock (_gate)
        {
            RevokeLocked(slot);
            RetireIfEmpty();
        }
    }

    /// <summary>Every lease is dropped: released now, or when the invocation on it ends.</summary>
    public void RevokeAll()
    {
        lock (_gate)
        {
            foreach (var slot in SlotsSnapshot())
            {
                RevokeLocked(slot);
            }

            RetireIfEmpty();
        }
    }

    /// <summary>
    /// Releases up to <paramref name="count"/> leases not in use (idle ones, least recently used
    /// first, then resting ones) into <paramref name="released"/>; returns the leases still held.
    /// </summary>
    public int Reclaim(int count, ICollection<string> released)
    {
        ArgumentNullException.ThrowIfNull(released);
        lock (_gate)
        {
            var given = 0;
            for (var node = _idle.Last; node is not null && given < count; given++)
            {
                var previous = node.Previous;
                released.Add(node.Value.LeaseId);
                Release(node.Value);
                node = previous;
            }

            if (given < count)
            {
                foreach (var slot in SlotsSnapshot())
                {
                    if (given < count && slot.State == EnvironmentState.Resting)
                    {
                        released.Add(slot.LeaseId);
                        Release(slot);
                        given++;
                    }
                }
            }

            var held = _slots.Count;
            RetireIfEmpty();
            return held;
        }
    }

    /// <summary>Releases every lease that has been idle for <paramref name="idleRelease"/> or more at <paramref name="now"/> (a timestamp).</summary>
    public void ReleaseIdle(long now, TimeSpan idleRelease)
    {
        lock (_gate)
        {
            for (var node = _idle.First; node is not null;)
            {
                var next = node.Next;
                if (_time.GetElapsedTime(node.Value.IdleSince, now) >= idleRelease)
                {
                    Release(node.Value);
                }

                node = next;
            }

            RetireIfEmpty();
        }
    }

    /// <summary>Adds the leases held now, except those already on their way back, to <paramref name="held"/>.</summary>
    public void AddHeld(ICollection<Lease> held)
    {
        ArgumentNullException.ThrowIfNull(held);
        lock (_gate)
        {
            foreach (var slot in _slots.Values)
            {
                if (!slot.Revoked)
                {
                    held.Add(slot.Lease);
                }
            }
        }
    }

    /// <summary>Adds the waiters' tickets to <paramref name="pending"/>.</summary>
    public void AddPending(ICollection<Acquire> pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        lock (_gate)
        {
            if (_waiters.Count == 0)
            {
                return;
            }

            var function = Function.ToRef();
            foreach (var waiter in _waiters)
            {
                pending.Add(new Acquire { Ticket = waiter.Ticket, Function = function });
            }
        }
    }

    /// <summary>Invocations lent an environment since the last call.</summary>
    public long TakeStarted() => Interlocked.Exchange(ref _started, 0);

    /// <summary>Stops every rest timer (the router is disposed).</summary>
    public void Close()
    {
        lock (_gate)
        {
            foreach (var slot in _slots.Values)
            {
                slot.RestTimer?.Dispose();
                slot.RestTimer = null;
            }
        }
    }

    /// <summary>An environment is free for this replica: to the head of the queue (whose ticket is then surplus), else idle (or given back when the gateway is leaving).</summary>
    private void Offer(EnvironmentSlot slot, bool front)
    {
        if (_waiters.First is { } head)
        {
            var waiter = head.Value;
            Dequeue(waiter);
            Withdraw(waiter.Ticket);
            Lend(slot);
            waiter.Grant(slot);
            return;
        }

        if (_index.Leaving)
        {
            // The gateway is stopping: nobody here needs it, another replica may.
            Release(slot);
            return;
        }

        slot.State = EnvironmentState.Idle;
        slot.IdleSince = _time.GetTimestamp();
        if (front)
        {
            _idle.AddFirst(slot.IdleNode);
        }
        else
        {
            _idle.AddLast(slot.IdleNode);
        }
    }

    private void Lend(EnvironmentSlot slot)
    {
        slot.State = EnvironmentState.InFlight;
        Volatile.Write(ref _inFlight, _inFlight + 1);
        if (slot.Lease.Provisioned)
        {
            Volatile.Write(ref _provisionedInFlight, _provisionedInFlight + 1);
        }

        Interlocked.Increment(ref _started);
    }

    private void Rest(EnvironmentSlot slot)
    {
        slot.State = EnvironmentState.Resting;
        var delay = RestFor(slot.Refusals);
        if (slot.RestTimer is { } timer)
        {
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            slot.RestTimer = _time.CreateTimer(static state => RestEnded((EnvironmentSlot)state!), slot, delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary><see cref="RoutingOptions.RetryDelay"/> doubled for each refusal after the first, at most <see cref="RoutingOptions.MaxRetryDelay"/>.</summary>
    private TimeSpan RestFor(int refusals)
    {
        var delay = _retryDelay;
        for (var i = 1; i < refusals && delay < _maxRetryDelay; i++)
        {
            delay += delay;
        }

        return delay < _maxRetryDelay ? delay : _maxRetryDelay;
    }

    private static void RestEnded(EnvironmentSlot slot)
    {
        var pool = slot.Pool;
        lock (pool._gate)
        {
            if (slot.State == EnvironmentState.Resting)
            {
                pool.Offer(slot, front: false);
            }
        }
    }

    private void RevokeLocked(EnvironmentSlot slot)
    {
        switch (slot.State)
        {
            case EnvironmentState.Released:
                return;
            case EnvironmentState.InFlight:
                slot.Revoked = true; // released when its invocation returns
                return;
            default:
                Release(slot);
                return;
        }
    }

    /// <summary>Gives the lease back: out of the pool, the idle list and its rest, and a release in the outbox.</summary>
    private void Release(EnvironmentSlot slot)
    {
        if (slot.State == EnvironmentState.Released)
        {
            return;
        }

        if (slot.IdleNode.List is not null)
        {
            // Idle (a slot just granted is Idle before it is in the list: Offer may give it back at once).
            _idle.Remove(slot.IdleNode);
        }

        slot.State = EnvironmentState.Released;
        slot.RestTimer?.Dispose();
        slot.RestTimer = null;
        _slots.Remove(slot.LeaseId);
        _index.Leases.TryRemove(new KeyValuePair<string, EnvironmentSlot>(slot.LeaseId, slot));
        Volatile.Write(ref _leases, _slots.Count);
        _outbox.Release(slot.LeaseId);
    }

    /// <summary>A new ticket for <paramref name="waiter"/>.</summary>
    private void AskFor(QueueWaiter waiter)
    {
        var ticket = _outbox.Acquire(Function);
        waiter.Ticket = ticket;
        _tickets[ticket] = waiter;
        _index.Tickets[ticket] = this;
    }

    /// <summary>The waiter holding <paramref name="ticket"/>, which holds it no more; null when nobody does.</summary>
    private QueueWaiter? TakeTicket(ulong ticket)
    {
        if (!_tickets.Remove(ticket, out var waiter))
        {
            return null;
        }

        _index.Tickets.TryRemove(new KeyValuePair<ulong, LeasedEnvironments>(ticket, this));
        return waiter;
    }

    /// <summary>A ticket whose waiter no longer needs it: answer it no more.</summary>
    private void Withdraw(ulong ticket)
    {
        if (TakeTicket(ticket) is not null)
        {
            _outbox.Cancel(ticket);
        }
    }

    private void Dequeue(QueueWaiter waiter)
    {
        _waiters.Remove(waiter.Node);
        Volatile.Write(ref _queueDepth, _waiters.Count);
    }

    private EnvironmentSlot[] SlotsSnapshot()
    {
        var slots = new EnvironmentSlot[_slots.Count];
        _slots.Values.CopyTo(slots, 0);
        return slots;
    }

    private void RetireIfEmpty()
    {
        if (_slots.Count == 0 && _waiters.Count == 0 && _inFlight == 0 && !_isRetired)
        {
            _isRetired = true;
            _index.Retired(this, TakeStarted());
        }
    }
}
