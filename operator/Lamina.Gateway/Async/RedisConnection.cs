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
    private readonly Lock _gate = new();
    private Task<ConnectionMultiplexer>? _connecting;

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

    /// <summary>The database, connecting first if this is the first use.</summary>
    public async Task<IDatabase> DatabaseAsync()
    {
        var multiplexer = await ConnectAsync().ConfigureAwait(false);
        return multiplexer.GetDatabase();
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Value.Enabled)
        {
            await ConnectAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
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
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(e.EndPoint, e.FailureType);
        multiplexer.ConnectionRestored += (_, e) =>
        {
            LogConnectionRestored(e.EndPoint);
            _ = CheckDurabilityAsync(multiplexer);
        };
        var endPoints = string.Join(", ", configuration.EndPoints);
        if (multiplexer.IsConnected)
        {
            LogConnected(endPoints);
            _ = CheckDurabilityAsync(multiplexer);
        }
        else
        {
            LogNotConnected(endPoints);
        }

        return multiplexer;
    }

    /// <summary>
    /// The 202 means "stored" only if Redis fsyncs its AOF before it answers, and never evicts keys to
    /// make room: warn when it does not. Managed Redis services may refuse CONFIG; then the operator's
    /// word has to do.
    /// </summary>
    private async Task CheckDurabilityAsync(ConnectionMultiplexer multiplexer)
    {
        try
        {
            foreach (var server in multiplexer.GetServers())
            {
                if (!server.IsConnected || server.IsReplica)
                {
                    continue;
                }

                var settings = await server.ConfigGetAsync("append*").ConfigureAwait(false);
                var appendOnly = settings.FirstOrDefault(s => s.Key == "appendonly").Value;
                var fsync = settings.FirstOrDefault(s => s.Key == "appendfsync").Value;
                if (appendOnly != "yes" || fsync != "always")
                {
                    LogNotDurable(server.EndPoint, appendOnly, fsync);
                }

                var eviction = (await server.ConfigGetAsync("maxmemory-policy").ConfigureAwait(false)).FirstOrDefault().Value;
                if (eviction is not null && eviction != "noeviction")
                {
                    LogEvicts(server.EndPoint, eviction);
                }
            }
        }
        catch (RedisException e)
        {
            var reason = RedisSecrets.Scrub(e.Message, _options.Value);
            LogDurabilityUnknown(reason);
        }
    }
}
