using Lamina.Gateway.Async;
using Lamina.Gateway.Worker;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Routing;
using Lamina.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>
/// What a 202 relies on, against a real redis-server: a Redis without Lamina's durability settings
/// (or whose settings cannot be read) is refused unless the admin opts out; a full Redis refuses the
/// enqueue whole; a required replica that does not acknowledge means no 202; dead letters age out.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class RedisDurabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly FunctionKey Orders = new("team-a", "orders");

    private readonly StaticFunctionCatalog _catalog = new StaticFunctionCatalog().Add(Orders.Namespace, Orders.Name, FunctionAsyncSettings.Default with { MaximumRetryAttempts = 0 });
    private readonly ScriptedRouter _router = new();
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _admin = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _admin = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString + ",allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        await _admin.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Theory]
    [InlineData("appendfsync", "everysec")]
    [InlineData("appendonly", "no")]
    [InlineData("maxmemory-policy", "allkeys-lru")]
    public async Task Start_RedisNotDurable_RefusedNamingTheSetting(string setting, string value)
    {
        await Server.ConfigSetAsync(setting, value);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AsyncHarness.StartAsync(_redis, _catalog, _router, output));

        Assert.Contains($"{setting} {value}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("RequireDurableRedis", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RedisNotDurableButOptedOut_StoresEvents()
    {
        await Server.ConfigSetAsync("appendfsync", "everysec");

        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, configure: o => o.RequireDurableRedis = false);
        var requestId = await gateway.EnqueueAsync(Orders);

        await Eventually.HoldsAsync(() => _router.Calls.Any(c => c.Request.RequestId == requestId), Deadline, "the event runs");
    }

    [Fact]
    public async Task Start_ConfigGetNotAllowed_RefusedUnlessOptedOut()
    {
        // A managed Redis that disables CONFIG: the settings cannot be known.
        await Server.ExecuteAsync("ACL", "SETUSER", "lamina", "on", ">lamina-user-password-0123456789", "~*", "&*", "+@all", "-config");
        var asUser = $"{_redis.ConnectionString},user=lamina,password=lamina-user-password-0123456789";

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AsyncHarness.StartAsync(_redis, _catalog, _router, output, configure: o => o.Redis = asUser));
        Assert.Contains("CONFIG GET", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("lamina-user-password-0123456789", refused.Message, StringComparison.Ordinal);

        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, configure: o => (o.Redis, o.RequireDurableRedis) = (asUser, false));
        await gateway.EnqueueAsync(Orders);
    }

    [Fact]
    public async Task Enqueue_RedisAtItsMaxmemory_RefusedWholeNothingStored()
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, workers: false);
        await gateway.EnqueueAsync(Orders);
        var db = _admin.GetDatabase();
        var before = (await db.StreamLengthAsync(AsyncKeys.Events(Orders)), await db.SortedSetLengthAsync(AsyncKeys.Ages(Orders)));

        await Server.ConfigSetAsync("maxmemory", "1");
        var refused = await Assert.ThrowsAsync<RedisServerException>(() => gateway.EnqueueAsync(Orders));
        await Server.ConfigSetAsync("maxmemory", "0");

        Assert.StartsWith("OOM", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await db.StreamLengthAsync(AsyncKeys.Events(Orders)), await db.SortedSetLengthAsync(AsyncKeys.Ages(Orders))));
    }

    [Fact]
    public async Task Enqueue_ReplicaRequiredButNoneAcknowledges_NotAnsweredStored()
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, workers: false, configure: o => (o.MinReplicas, o.ReplicaTimeout) = (1, TimeSpan.FromMilliseconds(200)));

        var refused = await Assert.ThrowsAsync<RedisException>(() => gateway.EnqueueAsync(Orders));

        Assert.Contains("0 of the 1 replicas", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sampler_DeadLettersOlderThanTheRetention_TrimmedAndCounted()
    {
        _router.Behaviour = ScriptedRouter.Fail;
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, configure: o => o.DeadLetterRetention = TimeSpan.FromMilliseconds(1));
        using var meters = new MetricCollectors(gateway.Meters);

        var requestId = await gateway.EnqueueAsync(Orders);

        await Eventually.HoldsAsync(() => _router.Calls.Any(c => c.Request.RequestId == requestId), Deadline, "the event fails once");
        await Eventually.HoldsAsync(() => meters.Sum(AsyncMetrics.DeadLettersTrimmed, ("namespace", "team-a"), ("function", "orders")) == 1, Deadline, "its dead letter is trimmed and counted");
        Assert.Equal(0, await _admin.GetDatabase().StreamLengthAsync(AsyncKeys.DeadLetter(Orders)));
    }

    [Fact]
    public async Task Sampler_RedisMemory_PublishedToTheGauges()
    {
        await Server.ConfigSetAsync("maxmemory", "400000000");
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, workers: false);
        using var meters = new MetricCollectors(gateway.Meters);

        await gateway.Services.GetRequiredService<AsyncQueueSampler>().SampleAsync();
        meters.RecordObservableInstruments();

        Assert.Equal(400_000_000, meters.Of(AsyncMetrics.StoreMemoryLimit)[^1].Value);
        Assert.InRange(meters.Of(AsyncMetrics.StoreMemoryUsed)[^1].Value, 1, 400_000_000);
    }

    private IServer Server => _admin.GetServers()[0];
}
