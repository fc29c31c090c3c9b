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
/// <item>An environment that answered busy rests (<see cref="RestBackoff"/>) before it is offered
/// again; one that is unavailable, unreachable or lost is released (the controller knows what
/// became of its pod).</item>
/// <item>A lease is released when it has idled for <c>IdleRelease</c>, when it is revoked (at once,
/// or when its invocation ends), when the controller reclaims it, and when leases expire.</item>
/// <item>A pool with no lease, no waiters and nothing in flight retires: the router drops it, and
/// anyone holding it asks the router again.</item>
/// </list>
/// One type over one lock, in a file per concern: this one (the invocations' side: acquire, leave,
/// return; what a Hello and a Demand report), <c>.Grants.cs</c> (the controller's answers to tickets),
/// <c>.Releases.cs</c> (the ways a lease goes back) and <c>.Lending.cs</c> (an environment moving
/// between idle, in flight and resting). The tickets are <see cref="PoolTickets"/>.
/// </summary>
internal sealed partial class LeasedEnvironments
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, EnvironmentSlot> _slots = new(StringComparer.Ordinal);
    private readonly LinkedList<EnvironmentSlot> _idle = new();
    private readonly LinkedList<QueueWaiter> _waiters = new();
    private readonly PoolTickets _tickets;
    private readonly IConcurrencyOutbox _outbox;
    private readonly PoolIndex _index;
    private readonly int _queueSize;
    private readonly RestBackoff _rest;
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
        _rest = RestBackoff.From(options);
        _outbox = outbox;
        _time = time;
        _index = index;
        _tickets = new PoolTickets(this, outbox, index);
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
            _tickets.AskFor(waiter);
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
            _tickets.Withdraw(waiter.Ticket);
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
