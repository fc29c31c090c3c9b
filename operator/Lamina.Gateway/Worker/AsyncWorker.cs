using System.Collections.Concurrent;
using Lamina.Gateway.Async;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Routing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Lamina.Gateway.Worker;

/// <summary>
/// Runs the stored Event invocations: reads every function's stream as this replica's consumer in the
/// group, invokes each event through <see cref="IInvocationRouter"/> exactly as a synchronous call
/// (so reserved concurrency, the cluster pool and scale from zero apply), and applies the retry rules
/// (<see cref="AsyncRetryPolicy"/>). At most <see cref="AsyncOptions.MaxConcurrency"/> events run at
/// once. A running event is refreshed every <see cref="AsyncOptions.RefreshInterval"/> so nobody
/// takes it over; an event pending longer than <see cref="AsyncOptions.ClaimThreshold"/> (its worker
/// died) is claimed. An entry is acknowledged only by the script that puts the event in its next
/// place, so delivery is at least once: a worker that dies mid-invocation leaves its event to another.
/// </summary>
internal sealed partial class AsyncWorker : BackgroundService
{
    /// <summary>
    /// The wait between attempts to store an attempt's result while Redis is unreachable; they go on for
    /// <see cref="AsyncOptions.ClaimThreshold"/>, as long as the entry stays this replica's.
    /// </summary>
    private static readonly TimeSpan WriteRetryDelay = TimeSpan.FromSeconds(1);

    private readonly AsyncQueue _queue;
    private readonly EventSigner _signer;
    private readonly IFunctionCatalog _catalog;
    private readonly AsyncRetryPolicy _policy;
    private readonly AsyncMetrics _metrics;
    private readonly EventInvoker _invoker;
    private readonly AsyncOptions _options;
    private readonly GatewayOptions _gateway;
    private readonly TimeProvider _time;
    private readonly ILogger<AsyncWorker> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<(FunctionKey Function, string Id), Task> _running = new();
    private readonly HashSet<FunctionKey> _groups = [];

    // Cancelled when the host stops waiting for running invocations (its shutdown timeout), or at
    // once by a test that "kills" the worker: running invocations end, nothing is acknowledged.
    private readonly CancellationTokenSource _abort = new();
    private long _lastClaim = long.MinValue;
    private bool _listening;
    private bool _reading;
    private int _idleWaits;
    private int _claimPasses;
    private int _cursor;

    public AsyncWorker(
        AsyncQueue queue,
        EventSigner signer,
        IFunctionCatalog catalog,
        IInvocationRouter router,
        AsyncRetryPolicy policy,
        AsyncMetrics metrics,
        InvokeMetrics invokeMetrics,
        IOptions<AsyncOptions> options,
        IOptions<GatewayOptions> gateway,
        TimeProvider time,
        ILogger<AsyncWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gateway);
        _queue = queue;
        _signer = signer;
        _catalog = catalog;
        _policy = policy;
        _metrics = metrics;
        _options = options.Value;
        _gateway = gateway.Value;
        _time = time;
        _logger = logger;
        _invoker = new EventInvoker(router, invokeMetrics, logger);
        _slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        ConsumerName = _options.ConsumerName is { Length: > 0 } configured
            ? configured
            : $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..12]}";
    }

    /// <summary>How many times the reader found nothing and waited (for the poll interval or a wake-up).</summary>
    internal int IdleWaits => Volatile.Read(ref _idleWaits);

    /// <summary>How many times the reader looked for dead workers' entries to claim.</summary>
    internal int ClaimPasses => Volatile.Read(ref _claimPasses);

    /// <summary>True from the start until the worker stops reading and claiming (its stop began, or async is off).</summary>
    internal bool Reading => Volatile.Read(ref _reading);

    /// <summary>This replica's consumer name in every stream's group.</summary>
    public string ConsumerName { get; }

    /// <summary>Events running now.</summary>
    public int Running => _running.Count;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop reading at once; let running invocations finish until the host gives up waiting. Not a
        // registration on the token: base.StopAsync returns when the token fires, and disposing a
        // registration whose callback has not run yet (they run in reverse order) drops it.
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        // Not disposed: invocations still running after the host gave up on them read its token and
        // release their slot when they end; neither holds an OS handle.
        _abort.Cancel();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        LogStarted(ConsumerName, _options.MaxConcurrency);
        using var refresherStop = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        var refresher = RefreshLoopAsync(refresherStop.Token);
        try
        {
            Volatile.Write(ref _reading, true);
            await ReadLoopAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref _reading, false);
        }

        // Running events finish (or are aborted by StopAsync's deadline) while still refreshed.
        await Task.WhenAll(_running.Values).ConfigureAwait(false);
        await refresherStop.CancelAsync().ConfigureAwait(false);
        await refresher.ConfigureAwait(false);
    }

    private async Task ReadLoopAsync(CancellationToken stoppingToken)
    {
        var emptyStreams = 0;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!_catalog.Synced)
            {
                // Until the catalog has listed the cluster, every function looks unknown.
                await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
                continue;
            }

            if (_slots.CurrentCount == 0)
            {
                await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                _slots.Release();
                continue;
            }

            try
            {
                if (!_listening)
                {
                    // Other replicas' announcements: until this succeeds, their events wait for a poll.
                    await _queue.ListenAsync().ConfigureAwait(false);
                    _listening = true;
                }

                // Before looking: an event stored while looking then ends the idle wait below at once.
                var wake = _queue.Wake.Next;
                var functions = await _queue.FunctionsAsync().ConfigureAwait(false);
                foreach (var function in functions)
                {
                    if (!_groups.Contains(function))
                    {
                        await _queue.EnsureGroupAsync(function).ConfigureAwait(false);
                        _groups.Add(function);
                    }
                }

                var started = 0;
                if (_lastClaim == long.MinValue || _time.GetElapsedTime(_lastClaim) >= _options.ClaimThreshold / 4)
                {
                    _lastClaim = _time.GetTimestamp();
                    started += await ClaimIdleAsync(functions).ConfigureAwait(false);
                    Interlocked.Increment(ref _claimPasses);
                }

                var (read, streams) = await ReadNewAsync(functions).ConfigureAwait(false);
                started += read;
                failing = false;
                emptyStreams = started > 0 ? 0 : emptyStreams + streams;
                if (started == 0 && emptyStreams >= functions.Count)
                {
                    emptyStreams = 0;
                    // Until the poll interval passes or this replica stores an event (or a retry falls due).
                    Interlocked.Increment(ref _idleWaits);
                    await Task.WhenAny(wake, Task.Delay(_options.PollInterval, _time, stoppingToken)).ConfigureAwait(false);
                }
            }
            catch (RedisServerException e) when (e.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // A stream or its group was deleted behind our back: create them again.
                LogGroupMissing(Scrub(e.Message));
                _groups.Clear();
            }
            catch (RedisException e)
            {
                // Once per outage, not once per poll.
                if (!failing)
                {
                    LogRedisFailed(Scrub(e.Message));
                }

                failing = true;
                await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Claims the idle entries of dead workers, as many as there are free slots.</summary>
    private async Task<int> ClaimIdleAsync(IReadOnlyList<FunctionKey> functions)
    {
        var started = 0;
        foreach (var function in functions)
        {
            var free = _slots.CurrentCount;
            if (free == 0)
            {
                break;
            }

            foreach (var entry in await _queue.ClaimIdleAsync(function, ConsumerName, _options.ClaimThreshold, free).ConfigureAwait(false))
            {
                LogClaimed(function.Namespace, function.Name, entry.Event?.RequestId, entry.Id);
                started += Start(entry) ? 1 : 0;
            }
        }

        return started;
    }

    /// <summary>
    /// Reads new entries with one XREADGROUP over as many streams as there are free slots (so it never
    /// reads more than it can run), taking the streams in turn when there are more functions than slots.
    /// </summary>
    private async Task<(int Started, int Streams)> ReadNewAsync(IReadOnlyList<FunctionKey> functions)
    {
        var free = _slots.CurrentCount;
        if (functions.Count == 0 || free == 0)
        {
            return (0, functions.Count);
        }

        var take = Math.Min(functions.Count, free);
        var selected = new List<FunctionKey>(take);
        for (var i = 0; i < take; i++)
        {
            selected.Add(functions[(_cursor + i) % functions.Count]);
        }

        _cursor = (_cursor + take) % functions.Count;
        var started = 0;
        foreach (var entry in await _queue.ReadAsync(selected, ConsumerName, free / take).ConfigureAwait(false))
        {
            started += Start(entry) ? 1 : 0;
        }

        return (started, take);
    }

    private bool Start(QueuedEvent entry)
    {
        var key = (entry.Function, entry.Id.ToString());
        if (_running.ContainsKey(key) || !_slots.Wait(0))
        {
            // Already running here (claimed back after a missed refresh), or no slot: it stays
            // pending for this consumer and is claimed again later.
            return false;
        }

        var run = new TaskCompletionSource();
        _running[key] = run.Task;
        _ = Task.Run(async () =>
        {
            try
            {
                await ProcessAsync(entry).ConfigureAwait(false);
            }
            finally
            {
                _running.TryRemove(key, out _);
                _slots.Release();
                run.SetResult();
            }
        });
        return true;
    }

    private async Task ProcessAsync(QueuedEvent entry)
    {
        var function = entry.Function;
        try
        {
            if (entry.Event is not { } e)
            {
                LogMalformed(function.Namespace, function.Name, entry.Id.ToString());
                _metrics.Dropped(function, AsyncMetrics.Malformed);
                await WriteAsync(() => _queue.DeadLetterAsync(entry, AsyncMetrics.Malformed, ReadOnlyMemory<byte>.Empty, null)).ConfigureAwait(false);
                return;
            }

            // Before anything else: an event not signed with the gateways' key was not stored by a
            // gateway (or was changed since), and must never run. Dead-lettered as it is, for a look.
            var verdict = _signer.Verify(function, entry.Fields);
            if (verdict == EventVerdict.Forged || (verdict == EventVerdict.Unsigned && !_options.AcceptUnsignedEvents))
            {
                LogForged(function.Namespace, function.Name, e.RequestId, entry.Id.ToString(), verdict);
                _metrics.ForgedEvent(function);
                await WriteAsync(() => _queue.DeadLetterAsync(entry, AsyncMetrics.Forged, ReadOnlyMemory<byte>.Empty, null)).ConfigureAwait(false);
                return;
            }

            var settings = _catalog.AsyncSettings(function.Namespace, function.Name);
            var rules = settings ?? FunctionAsyncSettings.Default;
            var now = _time.GetUtcNow();
            AsyncDecision decision;
            if (AsyncRetryPolicy.IsExpired(e, rules, now))
            {
                decision = new AsyncDecision.Final(e, AsyncCondition.EventAgeExceeded);
            }
            else
            {
                _metrics.Attempting(function, now - e.EnqueuedAt);
                var outcome = settings is null
                    ? AttemptOutcome.FunctionNotFound(Arn(function))
                    : await _invoker.InvokeAsync(function, e, _abort.Token).ConfigureAwait(false);
                decision = _policy.Decide(e.After(outcome), rules, _time.GetUtcNow());
            }

            switch (decision)
            {
                case AsyncDecision.Retry retry:
                    LogRetrying(function.Namespace, function.Name, e.RequestId, retry.Event.Attempt, retry.Event.LastOutcome?.Kind, retry.Delay);
                    await WriteAsync(() => _queue.RetryLaterAsync(entry, retry.Event, retry.DueAt)).ConfigureAwait(false);
                    break;
                case AsyncDecision.Final final:
                    await FinishAsync(entry, final, settings).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            LogLeftPending(function.Namespace, function.Name, entry.Event?.RequestId ?? "?");
        }
        catch (Exception e)
        {
            // Whatever failed, the entry is not acknowledged: it stays pending and is claimed after the threshold.
            LogNotStored(e, function.Namespace, function.Name, entry.Event?.RequestId ?? "?");
        }
    }

    /// <summary>
    /// The final state: the record goes to the destination when there is one, else a failure goes to
    /// the dead-letter stream and a success is simply acknowledged. A record that cannot be delivered
    /// is dead-lettered instead, so it is never lost.
    /// </summary>
    private async Task FinishAsync(QueuedEvent entry, AsyncDecision.Final final, FunctionAsyncSettings? settings)
    {
        var function = entry.Function;
        var e = final.Event;
        var condition = final.Condition.ToString();
        var now = _time.GetUtcNow();
        if (final.Condition != AsyncCondition.Success)
        {
            _metrics.Dropped(function, condition);
        }

        LogFinished(function.Namespace, function.Name, e.RequestId, condition, e.Attempt);
        var record = DestinationRecord.Create(e, final.Condition, Arn(function), now).ToUtf8Json();
        var destination = final.Condition == AsyncCondition.Success ? settings?.OnSuccess : settings?.OnFailure;
        if (destination is not null)
        {
            var target = new FunctionKey(function.Namespace, destination);
            if (_catalog.Exists(target.Namespace, target.Name))
            {
                var delivered = AsyncEvent.New(Guid.NewGuid().ToString("D"), record, now, clientContext: null, e.TraceId);
                try
                {
                    await WriteAsync(() => _queue.DeliverAsync(entry, e.RequestId, target, delivered)).ConfigureAwait(false);
                    return;
                }
                catch (RedisException failure)
                {
                    LogDeliveryFailed(function.Namespace, function.Name, e.RequestId, destination, Scrub(failure.Message));
                }
            }
            else
            {
                LogDeliveryFailed(function.Namespace, function.Name, e.RequestId, destination, "no such function in the namespace");
            }

            _metrics.DestinationFailed(function);
        }
        else if (final.Condition == AsyncCondition.Success)
        {
            await WriteAsync(() => _queue.CompleteAsync(entry, e.RequestId)).ConfigureAwait(false);
            return;
        }

        try
        {
            await WriteAsync(() => _queue.DeadLetterAsync(entry, condition, record, e)).ConfigureAwait(false);
        }
        catch (RedisException)
        {
            _metrics.DeadLetterFailed(function);
            throw;
        }
    }

    /// <summary>
    /// Runs a write that ends an attempt, again every second while Redis is unreachable, for as long
    /// as the entry would stay ours (the claim threshold); false when the entry was no longer pending
    /// (another worker finished it first).
    /// </summary>
    private async Task WriteAsync(Func<Task<bool>> write)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            try
            {
                if (!await write().ConfigureAwait(false))
                {
                    LogAlreadyDone();
                }

                return;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException && _time.GetElapsedTime(started) < _options.ClaimThreshold)
            {
                await Task.Delay(WriteRetryDelay, _time, _abort.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Keeps this replica's running entries from looking idle (one XCLAIM per stream and interval).</summary>
    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.RefreshInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var byFunction = new Dictionary<FunctionKey, List<RedisValue>>();
            foreach (var (function, id) in _running.Keys)
            {
                if (!byFunction.TryGetValue(function, out var ids))
                {
                    byFunction[function] = ids = [];
                }

                ids.Add(id);
            }

            foreach (var (function, ids) in byFunction)
            {
                try
                {
                    await _queue.RefreshAsync(function, ConsumerName, [.. ids]).ConfigureAwait(false);
                }
                catch (RedisException e)
                {
                    LogRefreshFailed(function.Namespace, function.Name, Scrub(e.Message));
                }
            }
        }
    }

    private string Scrub(string message) => RedisSecrets.Scrub(message, _options);

    private string Arn(FunctionKey function) => _gateway.FunctionArn($"{function.Namespace}.{function.Name}");
}
