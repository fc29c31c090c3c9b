using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using StackExchange.Redis;

namespace Lamina.Gateway.Worker;

/// <summary>
/// The events this replica runs now: at most <see cref="AsyncOptions.MaxConcurrency"/> at once, each
/// entry at most once, and refreshed every <see cref="AsyncOptions.RefreshInterval"/> (one XCLAIM per
/// stream and interval) so their entries never look idle to another replica's claim. Logs under
/// <see cref="AsyncWorker"/>'s category, as before the split.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The slots are never disposed: invocations still running after the host gave up on them release theirs when they end, and a SemaphoreSlim without a wait handle holds no OS handle")]
internal sealed partial class RunningEvents
{
    private readonly AsyncQueue _queue;
    private readonly string _consumer;
    private readonly AsyncOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AsyncWorker> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<(FunctionKey Function, string Id), Task> _running = new();

    public RunningEvents(AsyncQueue queue, string consumer, AsyncOptions options, TimeProvider time, ILogger<AsyncWorker> logger)
    {
        _queue = queue;
        _consumer = consumer;
        _options = options;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
    }

    /// <summary>Events running now.</summary>
    public int Count => _running.Count;

    /// <summary>How many more events may start now.</summary>
    public int Free => _slots.CurrentCount;

    /// <summary>Returns once a slot is free, without taking it.</summary>
    public async Task WaitForFreeAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        _slots.Release();
    }

    /// <summary>
    /// Runs <paramref name="process"/> for <paramref name="entry"/> in a slot of its own, on the thread
    /// pool; false when there is no free slot or the entry already runs here.
    /// </summary>
    public bool TryStart(QueuedEvent entry, Func<QueuedEvent, Task> process)
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
                await process(entry).ConfigureAwait(false);
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

    /// <summary>Completes when every event running now has ended.</summary>
    public Task WhenAllEnded() => Task.WhenAll(_running.Values);

    /// <summary>Keeps this replica's running entries from looking idle (one XCLAIM per stream and interval) until cancelled.</summary>
    public async Task RefreshLoopAsync(CancellationToken cancellationToken)
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
                    await _queue.RefreshAsync(function, _consumer, [.. ids]).ConfigureAwait(false);
                }
                catch (RedisException e)
                {
                    LogRefreshFailed(function.Namespace, function.Name, RedisSecrets.Scrub(e.Message, _options));
                }
            }
        }
    }
}
