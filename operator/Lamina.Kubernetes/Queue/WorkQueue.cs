using System.Diagnostics.CodeAnalysis;

namespace Lamina.Kubernetes.Queue;

/// <summary>
/// client-go's rate-limited delaying work queue, the heart of a controller: keys (usually
/// <c>namespace/name</c>) wait to be reconciled by workers.
/// <list type="bullet">
/// <item>A key waiting in the queue is held once, however often it is added.</item>
/// <item>A key is handed to one worker at a time: added while being processed, it is queued
/// again when the worker calls <see cref="Done"/>.</item>
/// <item><see cref="AddAfter"/> adds a key once a delay has passed (the earliest of several wins);
/// <see cref="AddRateLimited"/> does so with a per-key exponential backoff that
/// <see cref="Forget"/> resets.</item>
/// <item>After <see cref="ShutDown"/>, adds are ignored, keys already queued are still handed
/// out, and then every <see cref="GetAsync"/> reports shutdown.</item>
/// </list>
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "client-go's name, the one every controller author knows")]
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly TimeProvider _timeProvider;
    private readonly WorkQueueOptions _options;
    private readonly Lock _gate = new();

    // What client-go calls queue, dirty and processing: the order keys are handed out, the keys
    // that need processing, and the keys workers have now.
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty;
    private readonly HashSet<TKey> _processing;

    // Delayed keys: when each is due (the earliest requested), and a heap ordered by that time.
    // The heap may hold stale entries for keys whose due time moved earlier; they are skipped.
    private readonly Dictionary<TKey, DateTimeOffset> _waiting;
    private readonly PriorityQueue<TKey, DateTimeOffset> _waitingByTime = new();
    private readonly ITimer _timer;
    private DateTimeOffset? _timerDueAt;

    private readonly Dictionary<TKey, int> _failures;
    private readonly LinkedList<TaskCompletionSource<(TKey, bool)>> _getters = new();
    private bool _shuttingDown;

    /// <summary>A queue whose delays run on <paramref name="timeProvider"/>.</summary>
    public WorkQueue(TimeProvider timeProvider, WorkQueueOptions? options = null, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _options = options ?? new WorkQueueOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.BaseDelay, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxDelay, _options.BaseDelay, nameof(options));
        _dirty = new HashSet<TKey>(comparer);
        _processing = new HashSet<TKey>(comparer);
        _waiting = new Dictionary<TKey, DateTimeOffset>(comparer);
        _failures = new Dictionary<TKey, int>(comparer);
        _timer = timeProvider.CreateTimer(static state => ((WorkQueue<TKey>)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Keys ready and waiting for a worker (not those being processed or delayed): the queue depth.</summary>
    public int Count
    {
        get { lock (_gate) { return _queue.Count; } }
    }

    /// <summary>Whether <see cref="ShutDown"/> was called.</summary>
    public bool IsShuttingDown
    {
        get { lock (_gate) { return _shuttingDown; } }
    }

    /// <summary>Queues <paramref name="key"/> unless it is queued already.</summary>
    public void Add(TKey key)
    {
        lock (_gate)
        {
            AddLocked(key);
        }
    }

    /// <summary>Queues <paramref name="key"/> once <paramref name="delay"/> has passed; at once when it is zero or negative.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            if (delay <= TimeSpan.Zero)
            {
                AddLocked(key);
                return;
            }

            var dueAt = _timeProvider.GetUtcNow() + delay;
            if (_waiting.TryGetValue(key, out var existing) && existing <= dueAt)
            {
                return; // already due sooner
            }

            _waiting[key] = dueAt;
            _waitingByTime.Enqueue(key, dueAt);
            ArmTimerLocked();
        }
    }

    /// <summary>Queues <paramref name="key"/> after its backoff: 5 ms, then twice as long after each further call, up to 1000 s.</summary>
    public void AddRateLimited(TKey key) => AddAfter(key, NextBackoff(key));

    /// <summary>Resets the backoff of <paramref name="key"/> (call it when processing succeeded).</summary>
    public void Forget(TKey key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    /// <summary>How many times <paramref name="key"/> was rate-limited since it was last forgotten.</summary>
    public int NumRequeues(TKey key)
    {
        lock (_gate)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>
    /// The next key to process, which the caller owns until it calls <see cref="Done"/>; waits while
    /// the queue is empty. <c>ShutDown</c> is true (and the key meaningless) once the queue is shut
    /// down and drained.
    /// </summary>
    public Task<(TKey Key, bool ShutDown)> GetAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource<(TKey, bool)> getter;
        LinkedListNode<TaskCompletionSource<(TKey, bool)>> node;
        lock (_gate)
        {
            if (_queue.Count > 0)
            {
                return Task.FromResult((TakeLocked(), false));
            }

            if (_shuttingDown)
            {
                return Task.FromResult((default(TKey)!, true));
            }

            // Completed under the lock, so its continuations must not run inline there.
            getter = new TaskCompletionSource<(TKey, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _getters.AddLast(getter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
            {
                lock (_gate)
                {
                    // Only a getter still waiting is cancelled; one handed a key keeps it.
                    if (node.List is not null)
                    {
                        _getters.Remove(node);
                        getter.TrySetCanceled(cancellationToken);
                    }
                }
            });
            _ = getter.Task.ContinueWith(static (_, state) => ((CancellationTokenRegistration)state!).Dispose(), registration,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return getter.Task;
    }

    /// <summary>Ends processing of <paramref name="key"/>; queues it again if it was added meanwhile.</summary>
    public void Done(TKey key)
    {
        lock (_gate)
        {
            if (_processing.Remove(key) && _dirty.Contains(key))
            {
                _queue.Enqueue(key);
                DispatchLocked();
            }
        }
    }

    /// <summary>Stops accepting keys and delays; waiting getters complete with shutdown.</summary>
    public void ShutDown()
    {
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            _shuttingDown = true;
            _waiting.Clear();
            _waitingByTime.Clear();
            _timerDueAt = null;
            // Getters wait only while the queue is empty, so there is nothing left to hand them.
            foreach (var getter in _getters)
            {
                getter.TrySetResult((default!, true));
            }

            _getters.Clear();
        }

        _timer.Dispose();
    }

    /// <inheritdoc cref="ShutDown"/>
    public void Dispose() => ShutDown();

    private void AddLocked(TKey key)
    {
        if (_shuttingDown || !_dirty.Add(key))
        {
            return;
        }

        if (_processing.Contains(key))
        {
            return; // Done queues it again
        }

        _queue.Enqueue(key);
        DispatchLocked();
    }

    /// <summary>Hands queued keys to waiting getters, oldest first.</summary>
    private void DispatchLocked()
    {
        while (_getters.First is { } first && _queue.Count > 0)
        {
            _getters.RemoveFirst();
            first.Value.TrySetResult((TakeLocked(), false));
        }
    }

    private TKey TakeLocked()
    {
        var key = _queue.Dequeue();
        _dirty.Remove(key);
        _processing.Add(key);
        return key;
    }

    private TimeSpan NextBackoff(TKey key)
    {
        int failures;
        lock (_gate)
        {
            failures = _failures.GetValueOrDefault(key);
            _failures[key] = failures + 1;
        }

        // In doubles: 2^failures overflows a TimeSpan long before the cap is reached.
        var seconds = _options.BaseDelay.TotalSeconds * Math.Pow(2, failures);
        return seconds >= _options.MaxDelay.TotalSeconds ? _options.MaxDelay : TimeSpan.FromSeconds(seconds);
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            _timerDueAt = null;
            if (_shuttingDown)
            {
                return;
            }

            var now = _timeProvider.GetUtcNow();
            while (_waitingByTime.TryPeek(out var key, out var dueAt) && dueAt <= now)
            {
                _waitingByTime.Dequeue();
                if (_waiting.TryGetValue(key, out var current) && current == dueAt)
                {
                    _waiting.Remove(key);
                    AddLocked(key);
                }
            }

            ArmTimerLocked();
        }
    }

    /// <summary>
    /// Points the timer at the earliest delayed key. Never with a zero delay: a timer may then fire
    /// inside <c>Change</c> (a fake clock does), re-entering this lock halfway through a change.
    /// </summary>
    private void ArmTimerLocked()
    {
        while (_waitingByTime.TryPeek(out var key, out var dueAt))
        {
            if (_waiting.TryGetValue(key, out var current) && current == dueAt)
            {
                if (_timerDueAt != dueAt)
                {
                    _timerDueAt = dueAt;
                    var delay = dueAt - _timeProvider.GetUtcNow();
                    _timer.Change(delay > TimeSpan.Zero ? delay : TimeSpan.FromTicks(1), Timeout.InfiniteTimeSpan);
                }

                return;
            }

            _waitingByTime.Dequeue(); // stale: the key became due earlier
        }
    }
}
