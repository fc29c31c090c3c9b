namespace Lamina.Gateway.Async;

/// <summary>
/// Asynchronous (Event) invocations: section <c>Lamina:Gateway:Async</c>. Off unless
/// <see cref="Redis"/> is set; then every gateway replica stores events in Redis Streams and runs
/// workers that invoke them (docs/async.md).
/// </summary>
internal sealed class AsyncOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lamina:Gateway:Async";

    /// <summary>Lambda's async payload limit (256 KB); AWS later announced 1 MB, so it is a setting.</summary>
    public const int DefaultMaximumPayload = 262_144;

    /// <summary>
    /// The Redis connection string (StackExchange.Redis syntax: <c>host:port[,password=…]</c>). Empty:
    /// async invocation is off and Event invocations are refused with 400.
    /// </summary>
    public string Redis { get; set; } = "";

    /// <summary>
    /// Redis' password, kept out of the connection string (the chart sets it from its generated Secret).
    /// Empty: the connection string's own <c>password=</c>, if any.
    /// </summary>
    public string RedisPassword { get; set; } = "";

    /// <summary>The shortest <see cref="EventSigningKey"/>: 32 characters of a random alphabet carry well over 128 bits.</summary>
    public const int MinimumSigningKeyLength = 32;

    /// <summary>
    /// The secret every gateway replica shares to sign the events it stores (HMAC-SHA256 over the
    /// event's fields and its function) and to verify them before invoking one: an event written into
    /// Redis by anyone else, or changed there, is never invoked (docs/async.md). Required with async on.
    /// </summary>
    public string EventSigningKey { get; set; } = "";

    /// <summary>
    /// Also run events that carry no signature at all (stored by a gateway of a version before
    /// signing), for the time of an upgrade from such a version. An event with a wrong signature is
    /// refused regardless.
    /// </summary>
    public bool AcceptUnsignedEvents { get; set; }

    /// <summary>
    /// Refuse a Redis without appendonly yes, appendfsync always and maxmemory-policy noeviction, or one
    /// whose settings cannot be read (CONFIG GET disabled): at start the gateway does not start, later
    /// every Event invocation is answered 500. False accepts it with a warning: the admin's word that it is durable.
    /// </summary>
    public bool RequireDurableRedis { get; set; } = true;

    /// <summary>
    /// Replicas that must have an event before it is answered 202 (WAIT). 0: the primary's fsync alone.
    /// With replicas, a primary lost with its disk would lose what the replicas had not received.
    /// </summary>
    public int MinReplicas { get; set; }

    /// <summary>
    /// How long an enqueue waits for <see cref="MinReplicas"/> replicas before it answers 500: shorter
    /// than <see cref="RedisConnection.CommandTimeout"/> (WAIT blocks the shared connection while it waits).
    /// </summary>
    public TimeSpan ReplicaTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a dead-letter entry is kept (Lambda's DLQs keep 14 days at most); older ones are trimmed and counted.</summary>
    public TimeSpan DeadLetterRetention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The largest Event payload accepted, in bytes; a larger one is refused with 413.</summary>
    public int MaximumPayload { get; set; } = DefaultMaximumPayload;

    /// <summary>
    /// Async invocations this replica runs at once, over all functions. 64 keeps a burst of queued
    /// events from taking every environment of the cluster pool away from synchronous callers on
    /// one replica, yet drains a queue quickly; reserved concurrency still caps each function.
    /// </summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>
    /// This replica's consumer name in the streams' consumer group. Empty: the host name and a
    /// random suffix, new at every start, so a restarted replica never mistakes a dead one's
    /// pending events for its own running ones (those are claimed after <see cref="ClaimThreshold"/>).
    /// </summary>
    public string ConsumerName { get; set; } = "";

    /// <summary>
    /// How long the workers wait before reading the streams again when the last read found nothing.
    /// StackExchange.Redis multiplexes one connection, so a blocking XREADGROUP is not an option:
    /// 250 ms bounds the added latency of an idle queue at one cheap read per replica and interval.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A pending event idle longer than this belongs to a worker that died: another claims it
    /// (XAUTOCLAIM). Running events are refreshed every <see cref="RefreshInterval"/>, so one minute
    /// is six missed refreshes, and a crashed replica's events wait at most about that long.
    /// </summary>
    public TimeSpan ClaimThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a worker marks its running events as alive (XCLAIM … JUSTID): well inside <see cref="ClaimThreshold"/>.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The waits before the retries after function errors, in order; the last repeats. Empty: Lambda's
    /// one minute, then two. Tests shorten them.
    /// </summary>
    public TimeSpan[] RetryDelays { get; set; } = [];

    /// <summary>The first wait after a throttle or a system error; doubled on each further one (Lambda: 1 s).</summary>
    public TimeSpan SystemRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait after a throttle or a system error (Lambda: 5 minutes).</summary>
    public TimeSpan MaxSystemRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often delayed retries that fell due are moved back into their streams: the granularity of every retry delay.</summary>
    public TimeSpan MoverInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often queue depth and oldest event age are read from Redis for the gauges (sampled, not
    /// read at scrape time, so a scrape never waits on Redis): Prometheus' default scrape interval.
    /// </summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Lambda's retry delays after a function error: about one minute, then two.</summary>
    public static IReadOnlyList<TimeSpan> LambdaRetryDelays { get; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)];

    /// <summary>True when Redis is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Redis);

    /// <summary><see cref="RetryDelays"/>, or Lambda's when none are configured.</summary>
    public IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays is { Length: > 0 } configured ? configured : LambdaRetryDelays;
}
