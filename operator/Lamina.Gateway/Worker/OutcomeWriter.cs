using Lamina.Gateway.Async;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Routing;
using StackExchange.Redis;

namespace Lamina.Gateway.Worker;

/// <summary>
/// Puts an event in its next place once an attempt has ended (or it cannot run): back in the delayed
/// set for a retry, or finished: its record delivered to a destination, the event dead-lettered, or
/// simply acknowledged. Each write is one script that also acknowledges the entry, and is tried again
/// while Redis is unreachable (<see cref="WriteWhileDownAsync"/>). Logs under <see cref="AsyncWorker"/>'s
/// category, as before the split.
/// </summary>
internal sealed partial class OutcomeWriter(
    AsyncQueue queue,
    IFunctionCatalog catalog,
    AsyncMetrics metrics,
    AsyncOptions options,
    TimeProvider time,
    ILogger<AsyncWorker> logger)
{
    /// <summary>
    /// The wait between attempts to store an attempt's result while Redis is unreachable; they go on for
    /// <see cref="AsyncOptions.ClaimThreshold"/>, as long as the entry stays this replica's.
    /// </summary>
    internal static readonly TimeSpan WriteRetryDelay = TimeSpan.FromSeconds(1);

    private readonly ILogger<AsyncWorker> _logger = logger;

    /// <summary>Dead-letters an entry that must not run (not an event, or not signed by a gateway) as it is, without a record.</summary>
    public Task DeadLetterAsIsAsync(QueuedEvent entry, string reason, CancellationToken abort) =>
        WriteAsync(() => queue.DeadLetterAsync(entry, reason, ReadOnlyMemory<byte>.Empty, null), abort);

    /// <summary>Moves the event to the delayed set, due at the retry's time.</summary>
    public Task RetryLaterAsync(QueuedEvent entry, AsyncDecision.Retry retry, CancellationToken abort)
    {
        var function = entry.Function;
        LogRetrying(function.Namespace, function.Name, retry.Event.RequestId, retry.Event.Attempt, retry.Event.LastOutcome?.Kind, retry.Delay);
        return WriteAsync(() => queue.RetryLaterAsync(entry, retry.Event, retry.DueAt), abort);
    }

    /// <summary>
    /// The final state: the record goes to the destination when there is one, else a failure goes to
    /// the dead-letter stream and a success is simply acknowledged. A record that cannot be delivered
    /// is dead-lettered instead, so it is never lost. <paramref name="functionArn"/> is the function's
    /// unqualified ARN, as the record names it.
    /// </summary>
    public async Task FinishAsync(QueuedEvent entry, AsyncDecision.Final final, FunctionAsyncSettings? settings, string functionArn, CancellationToken abort)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(final);
        var function = entry.Function;
        var e = final.Event;
        var condition = final.Condition.ToString();
        var now = time.GetUtcNow();
        if (final.Condition != AsyncCondition.Success)
        {
            metrics.Dropped(function, condition);
        }

        LogFinished(function.Namespace, function.Name, e.RequestId, condition, e.Attempt);
        var record = DestinationRecord.Create(e, final.Condition, functionArn, now).ToUtf8Json();
        var destination = final.Condition == AsyncCondition.Success ? settings?.OnSuccess : settings?.OnFailure;
        if (destination is not null)
        {
            var target = new FunctionKey(function.Namespace, destination);
            if (catalog.Exists(target.Namespace, target.Name))
            {
                var delivered = AsyncEvent.New(Guid.NewGuid().ToString("D"), record, now, clientContext: null, e.TraceId);
                try
                {
                    await WriteAsync(() => queue.DeliverAsync(entry, e.RequestId, target, delivered), abort).ConfigureAwait(false);
                    return;
                }
                catch (RedisException failure)
                {
                    LogDeliveryFailed(function.Namespace, function.Name, e.RequestId, destination, RedisSecrets.Scrub(failure.Message, options));
                }
            }
            else
            {
                LogDeliveryFailed(function.Namespace, function.Name, e.RequestId, destination, "no such function in the namespace");
            }

            metrics.DestinationFailed(function);
        }
        else if (final.Condition == AsyncCondition.Success)
        {
            await WriteAsync(() => queue.CompleteAsync(entry, e.RequestId), abort).ConfigureAwait(false);
            return;
        }

        try
        {
            await WriteAsync(() => queue.DeadLetterAsync(entry, condition, record, e), abort).ConfigureAwait(false);
        }
        catch (RedisException)
        {
            metrics.DeadLetterFailed(function);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/>, a write that ends an attempt, again every <see cref="WriteRetryDelay"/>
    /// while Redis is unreachable (a connection failure or a timeout), for as long as the entry would stay
    /// ours (<paramref name="claimThreshold"/>); after that, or on any other failure, the failure is
    /// thrown. Returns what the write returned: false when the entry was no longer pending (another
    /// worker finished it first). <paramref name="abort"/> ends the waits between tries.
    /// </summary>
    internal static async Task<bool> WriteWhileDownAsync(Func<Task<bool>> write, TimeProvider time, TimeSpan claimThreshold, CancellationToken abort)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(time);
        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                return await write().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException && time.GetElapsedTime(started) < claimThreshold)
            {
                await Task.Delay(WriteRetryDelay, time, abort).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteAsync(Func<Task<bool>> write, CancellationToken abort)
    {
        if (!await WriteWhileDownAsync(write, time, options.ClaimThreshold, abort).ConfigureAwait(false))
        {
            LogAlreadyDone();
        }
    }
}
