namespace Lamina.Gateway.Async;

/// <summary>
/// The Lua scripts that move an event between a function's keys. A script runs atomically, so an event
/// is always in exactly one place (the stream, the delayed set, a destination's stream, the dead-letter
/// stream) and a crash between two steps cannot lose or duplicate it. Every script that ends a stream
/// entry first XACKs it and does nothing when that acknowledged nothing: another worker that claimed
/// the same entry already finished it. StackExchange.Redis sends each script once and then only its SHA.
/// </summary>
internal static class AsyncScripts
{
    /// <summary>KEYS: stream, ages. ARGV: enqueuedAt (ms), requestId, then the entry's fields. Returns the entry id.</summary>
    public const string Enqueue = """
        local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 3))
        redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
        return id
        """;

    /// <summary>
    /// KEYS: stream, delayed. ARGV: group, entry id, due time (ms), then the next attempt's fields,
    /// packed with msgpack into one member (binary-safe) until the mover unpacks them. Returns 1, or 0 when not pending.
    /// </summary>
    public const string RetryLater = """
        if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
        redis.call('XDEL', KEYS[1], ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[3], cmsgpack.pack({unpack(ARGV, 4)}))
        return 1
        """;

    /// <summary>KEYS: stream, ages. ARGV: group, entry id, requestId. Returns 1, or 0 when not pending.</summary>
    public const string Complete = """
        if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
        redis.call('XDEL', KEYS[1], ARGV[2])
        redis.call('ZREM', KEYS[2], ARGV[3])
        return 1
        """;

    /// <summary>KEYS: stream, ages, dead-letter. ARGV: group, entry id, requestId, then the dead-letter entry's fields. Returns 1, or 0 when not pending.</summary>
    public const string DeadLetter = """
        if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
        redis.call('XDEL', KEYS[1], ARGV[2])
        redis.call('ZREM', KEYS[2], ARGV[3])
        redis.call('XADD', KEYS[3], '*', unpack(ARGV, 4))
        return 1
        """;

    /// <summary>
    /// KEYS: stream, ages, destination stream, destination ages. ARGV: group, entry id, requestId, the
    /// destination event's enqueuedAt (ms) and requestId, then its fields. Returns 1, or 0 when not pending.
    /// </summary>
    public const string Deliver = """
        if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
        redis.call('XDEL', KEYS[1], ARGV[2])
        redis.call('ZREM', KEYS[2], ARGV[3])
        redis.call('XADD', KEYS[3], '*', unpack(ARGV, 6))
        redis.call('ZADD', KEYS[4], ARGV[4], ARGV[5])
        return 1
        """;

    /// <summary>KEYS: delayed, stream. ARGV: now (ms), the most to move. Returns how many moved back into the stream.</summary>
    public const string MoveDue = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        for _, member in ipairs(due) do
          redis.call('XADD', KEYS[2], '*', unpack(cmsgpack.unpack(member)))
          redis.call('ZREM', KEYS[1], member)
        end
        return #due
        """;

    /// <summary>
    /// KEYS: dead-letter, stream, ages. ARGV: dead-letter entry id, enqueuedAt (ms), requestId, then the
    /// event's fields. Returns the new stream entry's id, or nil when the dead-letter entry is gone.
    /// </summary>
    public const string Redrive = """
        if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return false end
        local id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 4))
        redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
        return id
        """;
}
