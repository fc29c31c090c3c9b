namespace Lamina.Gateway.Routing;

/// <summary>
/// One function's environments as this replica sees them (idle, in flight, resting) and its queue
/// of waiting invocations, under one lock. The rules:
/// <list type="bullet">
/// <item>An invocation takes the first idle environment; an environment that answered goes back to
/// the front (most recently used first), a new or rested one to the back.</item>
/// <item>An environment that becomes available goes to the head of the queue if anyone waits (the
/// waiter is signalled: nobody polls), else to the idle list.</item>
/// <item>An environment that refused (busy, unavailable, unreachable) rests, doubling from
/// <see cref="RoutingOptions.RetryDelay"/> to <see cref="RoutingOptions.MaxRetryDelay"/>, before it
/// is offered again.</item>
/// <item>A pool with no environments, no waiters and nothing in flight retires: the router drops it,
/// and anyone holding it asks the router again.</item>
/// </list>
/// </summary>
internal sealed class FunctionPool
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, EnvironmentSlot> _slots = new(StringComparer.Ordinal);
    private readonly LinkedList<EnvironmentSlot> _idle = new();
    private readonly LinkedList<QueueWaiter> _waiters = new();
    private readonly int _queueSize;
    private readonly TimeSpan _retryDelay;
    private readonly TimeSpan _maxRetryDelay;
    private readonly TimeProvider _time;
    private readonly Action<FunctionPool> _retired;
    private int _queueDepth;
    private int _inFlight;
    private bool _isRetired;

    /// <summary>An empty pool; <paramref name="retired"/> is called, under the pool's lock, when it retires, so the owner forgets it.</summary>
    public FunctionPool(FunctionKey function, RoutingOptions options, TimeProvider time, Action<FunctionPool> retired)
    {
        ArgumentNullException.ThrowIfNull(options);
        Function = function;
        Tags = [new("namespace", function.Namespace), new("function", function.Name)];
        _queueSize = options.QueueSize;
        _retryDelay = options.RetryDelay;
        _maxRetryDelay = options.MaxRetryDelay;
        _time = time;
        _retired = retired;
    }

    public FunctionKey Function { get; }

    /// <summary>The metric labels, made once: <c>namespace</c> and <c>function</c>.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>Invocations waiting now (read without the lock, for metrics).</summary>
    public int QueueDepth => Volatile.Read(ref _queueDepth);

    /// <summary>Invocations from this replica on an environment now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Environments idle now.</summary>
    public int IdleCount
    {
        get { lock (_gate) { return _idle.Count; } }
    }

    /// <summary>Lends the first idle environment, else queues the caller (or says the queue is full).</summary>
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
            _waiters.AddLast(waiter.Node);
            Volatile.Write(ref _queueDepth, _waiters.Count);
            return new Acquisition(null, waiter, false);
        }
    }

    /// <summary>
    /// Takes a waiter out of the queue because its caller left (<paramref name="cancelled"/>) or its
    /// wait expired. Nothing happens if it was granted an environment first: that grant stands.
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

            _waiters.Remove(waiter.Node);
            Volatile.Write(ref _queueDepth, _waiters.Count);
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
            if (slot.Removed)
            {
                if (_slots.TryGetValue(slot.Environment.Pod, out var mapped) && mapped == slot)
                {
                    _slots.Remove(slot.Environment.Pod);
                }

                Drop(slot);
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

    /// <summary>The registry admitted an environment. False when the pool has retired: add it to the router's current pool.</summary>
    public bool Add(FunctionEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        lock (_gate)
        {
            if (_isRetired)
            {
                return false;
            }

            if (_slots.TryGetValue(environment.Pod, out var existing))
            {
                if (existing.Environment == environment)
                {
                    // Back before the invocation on it ended (a readiness flap): keep it, not a second slot.
                    existing.Removed = false;
                    return true;
                }

                // The same pod name at another address: the old environment is another one, and gone.
                _slots.Remove(environment.Pod);
                Forget(existing);
            }

            var slot = new EnvironmentSlot(this, environment);
            _slots[environment.Pod] = slot;
            Offer(slot, front: false);
            return true;
        }
    }

    /// <summary>The registry dropped an environment: it leaves now, or when the invocation on it ends.</summary>
    public void Remove(FunctionEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        lock (_gate)
        {
            if (!_slots.TryGetValue(environment.Pod, out var slot) || slot.Environment != environment)
            {
                return;
            }

            if (slot.State == EnvironmentState.InFlight)
            {
                slot.Removed = true; // kept, so that a pod that comes back is the same slot
                return;
            }

            _slots.Remove(environment.Pod);
            Drop(slot);
            RetireIfEmpty();
        }
    }

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

    private void Offer(EnvironmentSlot slot, bool front)
    {
        if (_waiters.First is { } head)
        {
            _waiters.Remove(head);
            Volatile.Write(ref _queueDepth, _waiters.Count);
            Lend(slot);
            head.Value.Grant(slot);
            return;
        }

        slot.State = EnvironmentState.Idle;
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

    /// <summary>A slot no longer mapped: out of the idle list and its rest, or left to end its invocation as removed.</summary>
    private void Forget(EnvironmentSlot slot)
    {
        if (slot.State == EnvironmentState.InFlight)
        {
            slot.Removed = true;
        }
        else
        {
            Drop(slot);
        }
    }

    private void Drop(EnvironmentSlot slot)
    {
        if (slot.State == EnvironmentState.Idle)
        {
            _idle.Remove(slot.IdleNode);
        }

        slot.State = EnvironmentState.Gone;
        slot.RestTimer?.Dispose();
        slot.RestTimer = null;
    }

    private void RetireIfEmpty()
    {
        if (_slots.Count == 0 && _waiters.Count == 0 && _inFlight == 0 && !_isRetired)
        {
            _isRetired = true;
            _retired(this);
        }
    }
}
