using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Lamina.Gateway.Async;

/// <summary>
/// The replica's one Redis connection (StackExchange.Redis multiplexes every command over it). It
/// connects at start without waiting for Redis to be up, reconnects by itself, and fails commands at
/// once while disconnected, so an Event invocation gets its 500 instead of a 202 for an event that was
/// only buffered in memory. Its state is the gauge <c>lamina_async_store_up</c>; it is no part of the
/// gateway's readiness (synchronous invocations never touch Redis).
/// </summary>
internal sealed partial class RedisConnection : IHostedService, IAsyncDisposable
{
    /// <summary>
    /// How long a connection attempt may take (StackExchange.Redis: 5 s). Redis answers a connect on a
    /// network that reaches it in milliseconds; a pod that is gone may drop the packets instead, and
    /// the first Event invocation after a start waits for this.
    /// </summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a command may wait for its reply (StackExchange.Redis: 5 s) before it fails and the Event
    /// invocation is answered 500. A write waits for Redis' fsync, which takes milliseconds on a
    /// healthy disk; a Redis that is gone without a reset (its pod deleted, a partition) would otherwise
    /// hold each caller this long.
    /// </summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(3);

    private readonly IOptions<AsyncOptions> _options;
    private readonly ILogger<RedisConnection> _logger;
    /// <summary>What Lamina's 202 relies on (docs/async.md): every write in the AOF, fsynced before the reply; nothing evicted.</summary>
    private static readonly (string Name, string Value)[] DurableSettings =
        [("appendonly", "yes"), ("appendfsync", "always"), ("maxmemory-policy", "noeviction")];

    private readonly Lock _gate = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private volatile string? _refusal;

    public RedisConnection(IOptions<AsyncOptions> options, AsyncMetrics metrics, ILogger<RedisConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _options = options;
        _logger = logger;
        if (options.Value.Enabled)
        {
            metrics.ObserveStore(() => Connected);
        }
    }

    /// <summary>True while a connection to Redis is up; always false when async invocation is off.</summary>
    public bool Connected => _connecting is { IsCompletedSuccessfully: true } connecting && connecting.Result.IsConnected;

    /// <summary>
    /// The connection settings of <paramref name="connectionString"/>, as the gateway and the dead-letter
    /// commands use them: <see cref="ConnectTimeout"/> and <see cref="CommandTimeout"/> unless the string
    /// sets <c>connectTimeout</c>, <c>asyncTimeout</c> or <c>syncTimeout</c> itself.
    /// </summary>
    public static ConfigurationOptions Configure(string connectionString, string clientName, string? password = null)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);
        if (!string.IsNullOrEmpty(password))
        {
            configuration.Password = password;
        }

        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName = clientName;
        // StackExchange.Redis refuses CONFIG client-side unless admin commands are allowed (it threw
        // RedisCommandException inside a task nobody observed, so the durability check never ran). The
        // gateway sends no other admin command; the server's own rights (ACL) still apply.
        configuration.AllowAdmin = true;
        if (!Names(connectionString, "connectTimeout"))
        {
            configuration.ConnectTimeout = (int)ConnectTimeout.TotalMilliseconds;
        }

        if (!Names(connectionString, "asyncTimeout") && !Names(connectionString, "syncTimeout"))
        {
            configuration.AsyncTimeout = (int)CommandTimeout.TotalMilliseconds;
            configuration.SyncTimeout = (int)CommandTimeout.TotalMilliseconds;
        }

        return configuration;
    }

    private static bool Names(string connectionString, string option) =>
        connectionString.Contains(option + "=", StringComparison.OrdinalIgnoreCase);

    /// <summary>The database, connecting first if this is the first use; throws <see cref="RedisRefusedException"/> while Redis is refused.</summary>
    public async Task<IDatabase> DatabaseAsync()
    {
        var multiplexer = await ConnectAsync().ConfigureAwait(false);
        return _refusal is { } refusal ? throw new RedisRefusedException(refusal) : multiplexer.GetDatabase();
    }

    /// <summary>The pub/sub side of the same connection, connecting first if this is the first use.</summary>
    public async Task<ISubscriber> SubscriberAsync()
    {
        var multiplexer = await ConnectAsync().ConfigureAwait(false);
        return _refusal is { } refusal ? throw new RedisRefusedException(refusal) : multiplexer.GetSubscriber();
    }

    /// <summary>Why Redis is refused (its durability settings), or null.</summary>
    public string? Refusal => _refusal;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Value.Enabled)
        {
            await ConnectAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_refusal is { } refusal)
            {
                // Refused at start: the gateway does not start against a Redis that could lose what it answers 202 for.
                throw new InvalidOperationException(refusal);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_connecting is { IsCompletedSuccessfully: true } connecting)
        {
            await connecting.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task<ConnectionMultiplexer> ConnectAsync()
    {
        lock (_gate)
        {
            if (_connecting is null || _connecting.IsFaulted)
            {
                if (!_options.Value.Enabled)
                {
                    throw new InvalidOperationException($"async invocation is off: {AsyncOptions.Section}:Redis is not set");
                }

                _connecting = ConnectCoreAsync();
            }

            return _connecting;
        }
    }

    private async Task<ConnectionMultiplexer> ConnectCoreAsync()
    {
        var configuration = Configure(_options.Value.Redis, "lamina-gateway", _options.Value.RedisPassword);
        var endPoints = string.Join(", ", configuration.EndPoints);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(e.EndPoint, e.FailureType);
        multiplexer.ConnectionRestored += (_, e) =>
        {
            LogConnectionRestored(e.EndPoint);
            _ = CheckDurabilityAsync(multiplexer, endPoints);
        };
        if (multiplexer.IsConnected)
        {
            LogConnected(endPoints);
            await CheckDurabilityAsync(multiplexer, endPoints).ConfigureAwait(false);
        }
        else
        {
            LogNotConnected(endPoints);
        }

        return multiplexer;
    }

    /// <summary>
    /// The 202 means "stored" only if Redis fsyncs its AOF before it answers and never evicts keys to
    /// make room. A Redis without those settings is refused (every operation fails with
    /// <see cref="RedisRefusedException"/>, and a start fails) unless <see cref="AsyncOptions.RequireDurableRedis"/>
    /// is off; so is one that does not answer CONFIG GET (managed services may disable it), whose
    /// settings cannot be known. A timeout or a lost connection changes nothing: checked again on the next connect.
    /// </summary>
    private async Task CheckDurabilityAsync(ConnectionMultiplexer multiplexer, string endPoints)
    {
        var settings = _options.Value;
        string? problem;
        try
        {
            var db = multiplexer.GetDatabase();
            var problems = new List<string>();
            foreach (var (name, expected) in DurableSettings)
            {
                var actual = await ConfigGetAsync(db, name).ConfigureAwait(false);
                if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{name} {actual ?? "(unset)"} (Lamina needs {expected})");
                }
            }

            problem = problems.Count == 0
                ? null
                : $"Redis at {endPoints} has {string.Join(", ", problems)}: a 202 would not mean the event survives a Redis crash, or a full Redis would delete stored events";
        }
        catch (RedisServerException e)
        {
            problem = $"Redis at {endPoints} does not answer CONFIG GET ({RedisSecrets.Scrub(e.Message, settings)}), so its durability settings are unknown";
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            var reason = RedisSecrets.Scrub(e.Message, settings);
            LogDurabilityUnchecked(reason);
            return;
        }

        if (problem is null)
        {
            _refusal = null;
        }
        else if (settings.RequireDurableRedis)
        {
            _refusal = $"{problem}. Refused: set appendonly yes, appendfsync always and maxmemory-policy noeviction (docs/async.md), or {AsyncOptions.Section}:RequireDurableRedis=false to accept it";
            LogRefused(_refusal);
        }
        else
        {
            _refusal = null;
            LogNotDurableAccepted(problem);
        }
    }

    private static async Task<string?> ConfigGetAsync(IDatabase db, string name)
    {
        var reply = await db.ExecuteAsync("CONFIG", "GET", name).ConfigureAwait(false);
        return reply.Resp2Type == ResultType.Array && (RedisResult[]?)reply is [_, var value, ..] ? (string?)value : null;
    }
}
