using System.Globalization;
using Lamina.Gateway.Routing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Lamina.Gateway.Async;

/// <summary>
/// Every Redis operation of async invocation (keys: <see cref="AsyncKeys"/>; scripts:
/// <see cref="AsyncScripts"/>). Each method is one round trip, or a few pipelined; none retries:
/// callers decide what a failure means (a 500 for the caller, a pending entry claimed later).
/// </summary>
internal sealed class AsyncQueue(RedisConnection connection, EventSigner signer, AsyncMetrics metrics, IOptions<AsyncOptions> options, TimeProvider time) : IAsyncQueue
{
    /// <summary>
    /// How long the list of functions with a stream is reused before SMEMBERS again: a new function's
    /// first event waits at most this long more, and a replica asks once a second, not once a read.
    /// </summary>
    private static readonly TimeSpan RegistryRefresh = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private IReadOnlyList<FunctionKey> _functions = [];
    private long _functionsReadAt = long.MinValue;

    public bool Enabled => true;

    /// <summary>
    /// Set whenever this process stores an event or moves a due retry back, and (once <see cref="ListenAsync"/>
    /// has subscribed) whenever any replica announces one: idle workers read at once.
    /// </summary>
    public WakeSignal Wake { get; } = new();

    /// <summary>True while the connection to Redis is up: <c>lamina_async_store_up</c>, never the gateway's readiness.</summary>
    public bool Connected => connection.Connected;

    public int MaximumPayload => options.Value.MaximumPayload;

    public async Task EnqueueAsync(FunctionKey function, AsyncEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        // Pipelined: the SADD of a known function writes nothing (no fsync), the script is one write.
        var register = db.SetAddAsync(AsyncKeys.Registry, AsyncKeys.Member(function));
        var add = db.ScriptEvaluateAsync(
            AsyncScripts.Enqueue,
            [AsyncKeys.Events(function), AsyncKeys.Ages(function)],
            [e.EnqueuedAt.ToUnixTimeMilliseconds(), e.RequestId, .. signer.Signed(function, e)]);
        await Task.WhenAll(register, add).ConfigureAwait(false);
        if (options.Value.MinReplicas is > 0 and var replicas)
        {
            // WAIT: the replicas that have this connection's writes so far, the event's among them.
            var acknowledged = (long)await db.ExecuteAsync("WAIT", replicas, (long)options.Value.ReplicaTimeout.TotalMilliseconds).ConfigureAwait(false);
            if (acknowledged < replicas)
            {
                // Stored on the primary, but not as safely as promised: no 202 (a retry may store it twice).
                throw new RedisException(string.Create(CultureInfo.InvariantCulture, $"the event reached {acknowledged} of the {replicas} replicas required within {options.Value.ReplicaTimeout.TotalMilliseconds} ms"));
            }
        }

        metrics.Received(function);
        Know(function);
        Announce(db, function);
    }

    /// <summary>
    /// Wakes the idle workers of this process and, over <see cref="AsyncKeys.Wake"/>, of every worker
    /// replica. Fire and forget, and best effort: a lost announcement (Redis restarting, or an external
    /// Redis whose ACL denies the channel) costs a worker at most its poll interval, never an event.
    /// </summary>
    public async Task AnnounceAsync(FunctionKey function) => Announce(await connection.DatabaseAsync().ConfigureAwait(false), function);

    private void Announce(IDatabase db, FunctionKey function)
    {
        Wake.Set();
        db.Publish(AsyncKeys.Wake, AsyncKeys.Member(function), CommandFlags.FireAndForget);
    }

    /// <summary>
    /// Subscribes <see cref="Wake"/> to every replica's announcements, each naming the function (so a
    /// new function's stream is read at once, not after the registry's next refresh); the subscription
    /// survives reconnections (StackExchange.Redis subscribes again). Workers call it once before reading.
    /// </summary>
    public async Task ListenAsync()
    {
        var subscriber = await connection.SubscriberAsync().ConfigureAwait(false);
        await subscriber.SubscribeAsync(AsyncKeys.Wake, (_, member) =>
        {
            if (AsyncKeys.TryParseMember((string?)member, out var function))
            {
                Know(function);
            }

            Wake.Set();
        }).ConfigureAwait(false);
    }

    /// <summary>The functions that have a stream, as of at most <see cref="RegistryRefresh"/> ago.</summary>
    public async Task<IReadOnlyList<FunctionKey>> FunctionsAsync()
    {
        lock (_gate)
        {
            if (time.GetElapsedTime(_functionsReadAt) < RegistryRefresh && _functionsReadAt != long.MinValue)
            {
                return _functions;
            }
        }

        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        var members = await db.SetMembersAsync(AsyncKeys.Registry).ConfigureAwait(false);
        var functions = new List<FunctionKey>(members.Length);
        foreach (var member in members)
        {
            if (AsyncKeys.TryParseMember((string?)member, out var function))
            {
                functions.Add(function);
            }
        }

        functions.Sort(static (a, b) => string.CompareOrdinal(AsyncKeys.Member(a), AsyncKeys.Member(b)));
        lock (_gate)
        {
            _functions = functions;
            _functionsReadAt = time.GetTimestamp();
        }

        return functions;
    }

    /// <summary>Adds a function this replica just stored an event for to the cached list, so its own workers need not wait for the next SMEMBERS.</summary>
    private void Know(FunctionKey function)
    {
        lock (_gate)
        {
            if (!_functions.Contains(function))
            {
                _functions = [.. _functions, function];
            }
        }
    }

    /// <summary>
    /// Creates the consumer group (and the stream) unless it exists. It starts at the stream's
    /// beginning, not its end, so events stored before the first worker came are read too.
    /// </summary>
    public async Task EnsureGroupAsync(FunctionKey function)
    {
        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        try
        {
            await db.StreamCreateConsumerGroupAsync(AsyncKeys.Events(function), AsyncKeys.Group, StreamPosition.Beginning, createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }

    /// <summary>New events of <paramref name="functions"/> for <paramref name="consumer"/>, at most <paramref name="countPerStream"/> of each (one XREADGROUP).</summary>
    public async Task<List<QueuedEvent>> ReadAsync(IReadOnlyList<FunctionKey> functions, string consumer, int countPerStream)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var read = new List<QueuedEvent>();
        if (functions.Count == 0 || countPerStream < 1)
        {
            return read;
        }

        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        var positions = new StreamPosition[functions.Count];
        var byKey = new Dictionary<string, FunctionKey>(functions.Count, StringComparer.Ordinal);
        for (var i = 0; i < functions.Count; i++)
        {
            var key = AsyncKeys.Events(functions[i]);
            positions[i] = new StreamPosition(key, StreamPosition.NewMessages);
            byKey[key.ToString()] = functions[i];
        }

        var streams = await db.StreamReadGroupAsync(positions, AsyncKeys.Group, consumer, countPerStream).ConfigureAwait(false);
        foreach (var stream in streams)
        {
            if (!byKey.TryGetValue(stream.Key.ToString(), out var function))
            {
                continue;
            }

            foreach (var entry in stream.Entries)
            {
                if (!entry.IsNull)
                {
                    read.Add(QueuedEvent.From(function, entry));
                }
            }
        }

        return read;
    }

    /// <summary>Takes over entries of <paramref name="function"/> pending longer than <paramref name="minIdle"/>: a dead worker's (XAUTOCLAIM).</summary>
    public async Task<List<QueuedEvent>> ClaimIdleAsync(FunctionKey function, string consumer, TimeSpan minIdle, int count)
    {
        var claimed = new List<QueuedEvent>();
        if (count < 1)
        {
            return claimed;
        }

        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        var result = await db.StreamAutoClaimAsync(AsyncKeys.Events(function), AsyncKeys.Group, consumer, (long)minIdle.TotalMilliseconds, "0-0", count).ConfigureAwait(false);
        if (result.IsNull)
        {
            return claimed;
        }

        foreach (var entry in result.ClaimedEntries)
        {
            if (!entry.IsNull)
            {
                claimed.Add(QueuedEvent.From(function, entry));
            }
        }

        return claimed;
    }

    /// <summary>Marks <paramref name="ids"/> as alive for <paramref name="consumer"/> (XCLAIM … 0 JUSTID: the idle time restarts, the delivery count does not grow).</summary>
    public async Task RefreshAsync(FunctionKey function, string consumer, RedisValue[] ids)
    {
        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        await db.StreamClaimIdsOnlyAsync(AsyncKeys.Events(function), AsyncKeys.Group, consumer, 0, ids).ConfigureAwait(false);
    }

    /// <summary>Acknowledges the entry and stores <paramref name="next"/> in the delayed set until <paramref name="due"/>, atomically.</summary>
    public async Task<bool> RetryLaterAsync(QueuedEvent entry, AsyncEvent next, DateTimeOffset due)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(next);
        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        var result = await db.ScriptEvaluateAsync(
            AsyncScripts.RetryLater,
            [AsyncKeys.Events(entry.Function), AsyncKeys.Delayed(entry.Function)],
            [AsyncKeys.Group, entry.Id, due.ToUnixTimeMilliseconds(), .. signer.Signed(entry.Function, next)]).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <summary>Acknowledges and deletes the entry of an event that reached its final state with nothing to deliver.</summary>
    public async Task<bool> CompleteAsync(QueuedEvent entry, string requestId)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        var result = await db.ScriptEvaluateAsync(
            AsyncScripts.Complete,
            [AsyncKeys.Events(entry.Function), AsyncKeys.Ages(entry.Function)],
            [AsyncKeys.Group, entry.Id, requestId]).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <summary>Moves the entry to the function's dead-letter stream with its record, atomically.</summary>
    public async Task<bool> DeadLetterAsync(QueuedEvent entry, string condition, ReadOnlyMemory<byte> record, AsyncEvent? e)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        var values = new List<RedisValue>
        {
            AsyncKeys.Group, entry.Id, e?.RequestId ?? "",
            DeadLetterFields.Condition, condition,
            DeadLetterFields.DeadLetteredAt, time.GetUtcNow().ToUnixTimeMilliseconds(),
            DeadLetterFields.Record, record,
        };
        if (e is not null)
        {
            // Signed, so a redrive can tell it from an entry someone wrote into the dead-letter stream.
            values.AddRange(signer.Signed(entry.Function, e));
        }
        else
        {
            // Not an event, or not one of ours: keep its fields as they were, for whoever looks at it.
            foreach (var field in entry.Fields)
            {
                values.Add(field.Name);
                values.Add(field.Value);
            }
        }

        var result = await db.ScriptEvaluateAsync(
            AsyncScripts.DeadLetter,
            [AsyncKeys.Events(entry.Function), AsyncKeys.Ages(entry.Function), AsyncKeys.DeadLetter(entry.Function)],
            [.. values]).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <summary>
    /// Acknowledges the entry and stores <paramref name="delivered"/> (the invocation record) as an
    /// event of <paramref name="destination"/>, atomically: the record is never lost, nor delivered twice.
    /// </summary>
    public async Task<bool> DeliverAsync(QueuedEvent entry, string requestId, FunctionKey destination, AsyncEvent delivered)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(delivered);
        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        var register = db.SetAddAsync(AsyncKeys.Registry, AsyncKeys.Member(destination));
        var deliver = db.ScriptEvaluateAsync(
            AsyncScripts.Deliver,
            [AsyncKeys.Events(entry.Function), AsyncKeys.Ages(entry.Function), AsyncKeys.Events(destination), AsyncKeys.Ages(destination)],
            [AsyncKeys.Group, entry.Id, requestId, delivered.EnqueuedAt.ToUnixTimeMilliseconds(), delivered.RequestId, .. signer.Signed(destination, delivered)]);
        await Task.WhenAll(register, deliver).ConfigureAwait(false);
        var done = (long)deliver.Result == 1;
        if (done)
        {
            metrics.Received(destination);
        }

        return done;
    }

    /// <summary>Moves delayed events of <paramref name="function"/> due by <paramref name="now"/> back into its stream, at most <paramref name="limit"/>.</summary>
    public async Task<int> MoveDueAsync(FunctionKey function, DateTimeOffset now, int limit)
    {
        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        var moved = await db.ScriptEvaluateAsync(
            AsyncScripts.MoveDue,
            [AsyncKeys.Delayed(function), AsyncKeys.Events(function)],
            [now.ToUnixTimeMilliseconds(), limit]).ConfigureAwait(false);
        return (int)moved;
    }

    /// <summary>Removes the function's dead-letter entries older than <paramref name="cutoff"/> (XTRIM MINID: entry ids are Redis' clock in ms); returns how many.</summary>
    public async Task<long> TrimDeadLettersAsync(FunctionKey function, DateTimeOffset cutoff)
    {
        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        var minimum = string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, cutoff.ToUnixTimeMilliseconds())}-0");
        return (long)await db.ExecuteAsync("XTRIM", AsyncKeys.DeadLetter(function), "MINID", minimum).ConfigureAwait(false);
    }

    /// <summary>Redis' memory: used_memory and maxmemory (0: no ceiling) from INFO memory.</summary>
    public async Task<(long Used, long Max)> MemoryAsync()
    {
        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        var info = (string?)await db.ExecuteAsync("INFO", "memory").ConfigureAwait(false) ?? "";
        long used = 0, max = 0;
        foreach (var line in info.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !long.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            switch (line[..colon])
            {
                case "used_memory": used = value; break;
                case "maxmemory": max = value; break;
                default: break;
            }
        }

        return (used, max);
    }

    /// <summary>The function's queue now: entries in the stream and the delayed set, and the oldest unfinished event's age.</summary>
    public async Task<QueueSample> SampleAsync(FunctionKey function, DateTimeOffset now)
    {
        var db = await connection.DatabaseAsync().ConfigureAwait(false);
        var streamLength = db.StreamLengthAsync(AsyncKeys.Events(function));
        var delayed = db.SortedSetLengthAsync(AsyncKeys.Delayed(function));
        var oldest = db.SortedSetRangeByRankWithScoresAsync(AsyncKeys.Ages(function), 0, 0);
        await Task.WhenAll(streamLength, delayed, oldest).ConfigureAwait(false);
        var age = oldest.Result is [var first, ..]
            ? now - DateTimeOffset.FromUnixTimeMilliseconds((long)first.Score)
            : TimeSpan.Zero;
        return new QueueSample(function, streamLength.Result + delayed.Result, age < TimeSpan.Zero ? TimeSpan.Zero : age);
    }
}
