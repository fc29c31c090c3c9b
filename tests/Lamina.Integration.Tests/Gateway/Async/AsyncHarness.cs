using System.Diagnostics.Metrics;
using Lamina.Gateway.Async;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Worker;
using Lamina.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>
/// One worker replica's async subsystem, composed as the worker role composes it (AddAsyncWorkers),
/// against a real Redis, with a scripted router and a fixed catalog in place of the cluster; without
/// workers only its connection starts, which is what a gateway runs. Timings are short (retries after
/// 200 ms, claims after 1 s) so the rules run in a test's time.
/// </summary>
internal sealed class AsyncHarness : IAsyncDisposable
{
    public static readonly TimeSpan ClaimThreshold = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>The event signing key every harness shares, as the replicas of one installation do.</summary>
    public const string SigningKey = "integration-tests-event-signing-key-0123456789";

    /// <summary>A gateway pod's environment for the dead-letter commands: the signing key, nothing else.</summary>
    public static string? Environment(string name) => name == DeadLetterCommand.SigningKeyVariable ? SigningKey : null;

    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _started = [];
    private bool _stopped;

    private AsyncHarness(ServiceProvider services)
    {
        _services = services;
    }

    public AsyncQueue Queue => _services.GetRequiredService<AsyncQueue>();

    public AsyncWorker Worker => _services.GetRequiredService<AsyncWorker>();

    public RedisConnection Connection => _services.GetRequiredService<RedisConnection>();

    public IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    public IServiceProvider Services => _services;

    /// <summary>Starts the connection and, with <paramref name="workers"/>, the workers, the mover and the sampler.</summary>
    public static async Task<AsyncHarness> StartAsync(
        RedisServer redis,
        IFunctionCatalog catalog,
        IInvocationRouter router,
        ITestOutputHelper output,
        bool workers = true,
        Action<AsyncOptions>? configure = null)
    {
        Action<AsyncOptions> settings = options =>
            {
                options.Redis = redis.ConnectionString;
                options.EventSigningKey = SigningKey;
                options.PollInterval = TimeSpan.FromMilliseconds(20);
                options.ClaimThreshold = ClaimThreshold;
                options.RefreshInterval = TimeSpan.FromMilliseconds(200);
                options.RetryDelays = [RetryDelay];
                options.SystemRetryDelay = TimeSpan.FromMilliseconds(50);
                options.MaxSystemRetryDelay = TimeSpan.FromMilliseconds(200);
                options.MoverInterval = TimeSpan.FromMilliseconds(50);
                options.SampleInterval = TimeSpan.FromMilliseconds(100);
                configure?.Invoke(options);
            };
        var composed = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(output)))
            .AddSingleton(catalog)
            .AddSingleton(router)
            .Configure<GatewayOptions>(_ => { });
        var services = composed.AddAsyncWorkers(configure: settings).BuildServiceProvider();
        var harness = new AsyncHarness(services);
        try
        {
            // What ValidateOnStart does in the gateway's host.
            _ = services.GetRequiredService<IOptions<AsyncOptions>>().Value;
            foreach (var hosted in services.GetServices<IHostedService>())
            {
                if (workers || hosted is RedisConnection)
                {
                    await hosted.StartAsync(CancellationToken.None).ConfigureAwait(false);
                    harness._started.Add(hosted);
                }
            }

            return harness;
        }
        catch
        {
            await harness.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stores an Event invocation as the Invoke handler does; returns its request id.</summary>
    public async Task<string> EnqueueAsync(FunctionKey function, string payload = """{"n":1}""")
    {
        var requestId = Guid.NewGuid().ToString("D");
        await Queue.EnqueueAsync(function, AsyncEvent.New(requestId, System.Text.Encoding.UTF8.GetBytes(payload), DateTimeOffset.UtcNow, null, null)).ConfigureAwait(false);
        return requestId;
    }

    public async Task<IDatabase> DatabaseAsync() => await Connection.DatabaseAsync().ConfigureAwait(false);

    public async Task<DeadLetterStore> DeadLettersAsync() => new(await DatabaseAsync().ConfigureAwait(false), _services.GetRequiredService<EventSigner>(), TimeProvider.System);

    /// <summary>
    /// Stops as a crash would: running invocations are cancelled at once, nothing is acknowledged and
    /// nothing refreshed any more; the connection closes.
    /// </summary>
    public async Task KillAsync()
    {
        _stopped = true;
        using var now = new CancellationTokenSource();
        await now.CancelAsync().ConfigureAwait(false);
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync(now.Token).ConfigureAwait(false);
        }

        await _services.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync(deadline.Token).ConfigureAwait(false);
        }

        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
