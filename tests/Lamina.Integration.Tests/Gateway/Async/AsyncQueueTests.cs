using System.Collections.Concurrent;
using System.Text;
using Lamina.Gateway.Async;
using Lamina.Gateway.Worker;
using Lamina.Gateway.Auth;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Routing;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>
/// Storing Event invocations in a real redis-server: what the Invoke handler answers 202 for is in
/// Redis and survives a crash of Redis (AOF, fsync before every reply); while Redis is down the gateway
/// answers 500, never 202, at once or within the command timeout, and says so on lamina_async_store_up.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class AsyncQueueTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly FunctionKey Orders = new("team-a", "orders");

    private readonly StaticFunctionCatalog _catalog = new StaticFunctionCatalog().Add(Orders.Namespace, Orders.Name);
    private readonly ScriptedRouter _router = new();
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task HandleAsync_Event_202WithTheRequestIdTheWorkerInvokesWith()
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        var handler = Handler(gateway);
        var context = Post("team-a.orders", """{"order":17}""");

        await handler.HandleAsync(context);

        Assert.Equal(202, context.Response.StatusCode);
        var requestId = context.Response.Headers["X-Amz-Request-Id"].ToString();
        await Eventually.HoldsAsync(() => _router.Calls.Count == 1, Deadline, "the worker invokes the event");
        Assert.Equal(requestId, _router.Calls[0].Request.RequestId);
        Assert.Equal("""{"order":17}""", Encoding.UTF8.GetString(_router.Calls[0].Request.Payload.Span));
    }

    [Fact]
    public async Task HandleAsync_RedisDown_500ServiceExceptionStoreDownThenStoredAgain()
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, workers: false);
        using var meters = new MetricCollectors(gateway.Meters);
        var handler = Handler(gateway);
        Assert.True(gateway.Queue.Connected);
        Assert.Equal(1, StoreUp(meters));

        await _redis.KillAsync();
        await Eventually.HoldsAsync(() => !gateway.Queue.Connected, Deadline, "the gateway notices Redis is gone");
        Assert.Equal(0, StoreUp(meters));
        var context = Post("team-a.orders", "{}");
        await handler.HandleAsync(context);

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("ServiceException", context.Response.Headers["X-Amzn-ErrorType"].ToString());
        await _redis.RestartAsync();
        await Eventually.HoldsAsync(() => gateway.Queue.Connected, Deadline, "the gateway reconnects");
        Assert.Equal(1, StoreUp(meters));
        var again = Post("team-a.orders", "{}");
        await handler.HandleAsync(again);
        Assert.Equal(202, again.Response.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_RedisStopsAnswering_500WithinTheCommandTimeoutThenStoredAgain()
    {
        // A Redis that is gone without closing its connections (its pod deleted, a partition): SIGSTOP
        // keeps the socket open and answers nothing. The caller gets its 500 once the command times out,
        // not whenever Redis comes back.
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, workers: false);
        var handler = Handler(gateway);
        _redis.Process!.Signal("STOP");
        try
        {
            var context = Post("team-a.orders", "{}");
            var answered = handler.HandleAsync(context);
            await Eventually.HoldsAsync(() => answered.IsCompleted, Deadline, "the Event invocation is answered while Redis is stopped");
            await answered;
            Assert.Equal(500, context.Response.StatusCode);
            Assert.Equal("ServiceException", context.Response.Headers["X-Amzn-ErrorType"].ToString());
        }
        finally
        {
            _redis.Process.Signal("CONT");
        }

        await Eventually.HoldsAsync(
            async () =>
            {
                var again = Post("team-a.orders", "{}");
                await handler.HandleAsync(again);
                return again.Response.StatusCode == 202;
            },
            Deadline,
            "stored again once Redis answers");
    }

    [Fact]
    public async Task EnqueueAsync_RedisKilledAndRestarted_NoEventAnswered202IsLost()
    {
        var stored = new ConcurrentBag<string>();
        var failed = 0;
        await using (var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, workers: false))
        {
            // Callers keep storing events while Redis is killed with SIGKILL (no shutdown, no final fsync).
            using var stop = new CancellationTokenSource();
            var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        stored.Add(await gateway.EnqueueAsync(Orders));
                    }
                    catch (Exception e) when (e is StackExchange.Redis.RedisException or InvalidOperationException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            })).ToList();
            await Eventually.HoldsAsync(() => stored.Count >= 200, Deadline, "events are being stored");

            await _redis.KillAsync();
            await Eventually.HoldsAsync(() => Volatile.Read(ref failed) > 0, Deadline, "storing fails while Redis is down");
            await stop.CancelAsync();
            await Task.WhenAll(callers);
        }

        await _redis.RestartAsync();
        output.WriteLine($"{stored.Count} events answered stored, {failed} refused");

        await using var worker = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        var expected = stored.ToHashSet(StringComparer.Ordinal);
        await Eventually.HoldsAsync(
            () => expected.IsSubsetOf(_router.Calls.Select(c => c.Request.RequestId)),
            Deadline,
            "every event that was answered stored is invoked after the restart");
    }

    [Fact]
    public async Task SampleAsync_EventsWaitingAndDelayed_DepthAndOldestAge()
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, workers: false);
        // Whole milliseconds: Redis keeps enqueue times in ms.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await gateway.Queue.EnqueueAsync(Orders, AsyncEvent.New("old", "{}"u8.ToArray(), now - TimeSpan.FromSeconds(90), null, null));
        await gateway.Queue.EnqueueAsync(Orders, AsyncEvent.New("new", "{}"u8.ToArray(), now - TimeSpan.FromSeconds(5), null, null));

        var sample = await gateway.Queue.SampleAsync(Orders, now);

        Assert.Equal(2, sample.Depth);
        Assert.Equal(TimeSpan.FromSeconds(90), sample.OldestAge);
        var empty = await gateway.Queue.SampleAsync(new FunctionKey("team-a", "other"), now);
        Assert.Equal(0, empty.Depth);
        Assert.Equal(TimeSpan.Zero, empty.OldestAge);
    }

    [Fact]
    public async Task Sampler_FunctionsWithStreams_PublishedToTheGauges()
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, workers: false);
        using var meters = new MetricCollectors(gateway.Meters);
        await gateway.EnqueueAsync(Orders);
        await gateway.EnqueueAsync(new FunctionKey("team-a", "deleted"));

        await gateway.Services.GetRequiredService<AsyncQueueSampler>().SampleAsync();
        meters.RecordObservableInstruments();

        Assert.Equal(1, meters.Sum(AsyncMetrics.QueueDepth, ("namespace", "team-a"), ("function", "orders")));
        Assert.DoesNotContain(meters.Of(AsyncMetrics.QueueDepth), m => m.Tags["function"] == "deleted");
        Assert.Single(meters.Of(AsyncMetrics.OldestEventAge));
    }

    private static double StoreUp(MetricCollectors meters)
    {
        meters.RecordObservableInstruments();
        return meters.Of(AsyncMetrics.StoreUp)[^1].Value;
    }

    private InvokeHandler Handler(AsyncHarness gateway) => new(
        new NoAuthenticator("team-a"),
        _catalog,
        _router,
        gateway.Services.GetRequiredService<IAsyncQueue>(),
        gateway.Services.GetRequiredService<InvokeMetrics>(),
        Options.Create(new GatewayOptions()),
        TimeProvider.System,
        NullLogger<InvokeHandler>.Instance,
        NullLoggerFactory.Instance);

    private static DefaultHttpContext Post(string functionName, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = $"{InvokeHandler.PathPrefix}{functionName}{InvokeHandler.PathSuffix}";
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes, writable: false);
        context.Request.Headers["X-Amz-Invocation-Type"] = "Event";
        context.Response.Body = new MemoryStream();
        return context;
    }
}
