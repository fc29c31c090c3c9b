using Lamina.Gateway.Async;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Routing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Lamina.Gateway.Worker;

/// <summary>
/// Runs the stored Event invocations: reads every function's stream as this replica's consumer in the
/// group, claims the entries of dead workers, and takes each event through its attempt: checks its
/// signature and age, invokes it through <see cref="EventInvoker"/> exactly as a synchronous call (so
/// reserved concurrency, the cluster pool and scale from zero apply), applies the retry rules
/// (<see cref="AsyncRetryPolicy"/>) and hands the decision to <see cref="OutcomeWriter"/>. At most
/// <see cref="AsyncOptions.MaxConcurrency"/> events run at once (<see cref="RunningEvents"/>, which
/// refreshes them every <see cref="AsyncOptions.RefreshInterval"/> so nobody takes them over); an event
/// pending longer than <see cref="AsyncOptions.ClaimThreshold"/> (its worker died) is claimed. An entry
/// is acknowledged only by the script that puts the event in its next place, so delivery is at least
/// once: a worker that dies mid-invocation leaves its event to another.
/// </summary>
internal sealed partial class AsyncWorker : BackgroundService
{
    private readonly AsyncQueue _queue;
    private readonly EventSigner _signer;
    private readonly IFunctionCatalog _catalog;
    private readonly AsyncRetryPolicy _policy;
    private readonly AsyncMetrics _metrics;
    private readonly EventInvoker _invoker;
    private readonly OutcomeWriter _writer;
    private readonly RunningEvents _running;
    private readonly AsyncOptions _options;
    private readonly GatewayOptions _gateway;
    private readonly TimeProvider _time;
    private readonly ILogger<AsyncWorker> _logger;
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
        _writer = new OutcomeWriter(queue, catalog, metrics, _options, time, logger);
        ConsumerName = _options.ConsumerName is { Length: > 0 } configured
            ? configured
            : $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..12]}";
        _running = new RunningEvents(queue, ConsumerName, _options, time, logger);
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
        var refresher = _running.RefreshLoopAsync(refresherStop.Token);
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
        await _running.WhenAllEnded().ConfigureAwait(false);
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

            if (_running.Free == 0)
            {
                await _running.WaitForFreeAsync(stoppingToken).ConfigureAwait(false);
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
            var free = _running.Free;
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
        var free = _running.Free;
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

    private bool Start(QueuedEvent entry) => _running.TryStart(entry, ProcessAsync);

    private async Task ProcessAsync(QueuedEvent entry)
    {
        var function = entry.Function;
        try
        {
            if (entry.Event is not { } e)
            {
                LogMalformed(function.Namespace, function.Name, entry.Id.ToString());
                _metrics.Dropped(function, AsyncMetrics.Malformed);
                await _writer.DeadLetterAsIsAsync(entry, AsyncMetrics.Malformed, _abort.Token).ConfigureAwait(false);
                return;
            }

            // Before anything else: an event not signed with the gateways' key was not stored by a
            // gateway (or was changed since), and must never run. Dead-lettered as it is, for a look.
            var verdict = _signer.Verify(function, entry.Fields);
            if (verdict == EventVerdict.Forged || (verdict == EventVerdict.Unsigned && !_options.AcceptUnsignedEvents))
            {
                LogForged(function.Namespace, function.Name, e.RequestId, entry.Id.ToString(), verdict);
                _metrics.ForgedEvent(function);
                await _writer.DeadLetterAsIsAsync(entry, AsyncMetrics.Forged, _abort.Token).ConfigureAwait(false);
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
                    await _writer.RetryLaterAsync(entry, retry, _abort.Token).ConfigureAwait(false);
                    break;
                case AsyncDecision.Final final:
                    await _writer.FinishAsync(entry, final, settings, Arn(function), _abort.Token).ConfigureAwait(false);
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

    private string Scrub(string message) => RedisSecrets.Scrub(message, _options);

    private string Arn(FunctionKey function) => _gateway.FunctionArn($"{function.Namespace}.{function.Name}");
}
