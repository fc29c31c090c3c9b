using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using Lamina.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>
/// What a pod that reaches Redis could write: an event it made up, a gateway's event changed or moved
/// to another function. The workers refuse each before invoking it (counted, logged, dead-lettered as
/// it is, and not redrivable), while the gateways' own events, retries and redrives run.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class EventSignatureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly FunctionKey Orders = new("team-a", "orders");
    private static readonly FunctionKey Billing = new("team-a", "billing");

    private readonly StaticFunctionCatalog _catalog = new StaticFunctionCatalog().Add(Orders.Namespace, Orders.Name).Add(Billing.Namespace, Billing.Name);
    private readonly ScriptedRouter _router = new();
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    public static TheoryData<string> Forgeries => ["made up", "wrong signature", "payload changed", "moved to another function"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task Worker_ForgedEvent_NeverInvokedCountedAndDeadLettered(string forgery)
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        using var meters = new MetricCollectors(gateway.Meters);
        var db = await gateway.DatabaseAsync();
        var signer = gateway.Services.GetService(typeof(EventSigner)) as EventSigner ?? throw new InvalidOperationException("no signer");
        var genuine = AsyncEvent.New("forged-" + Guid.NewGuid().ToString("N"), """{"transfer":1000000}"""u8.ToArray(), DateTimeOffset.UtcNow, null, null);
        var fields = forgery switch
        {
            "made up" => AsyncEventFields.Flatten(genuine),
            "wrong signature" => [.. AsyncEventFields.Flatten(genuine), AsyncEventFields.Signature, Convert.ToBase64String(new byte[32])],
            "payload changed" => Changed(signer.Signed(Orders, genuine with { Payload = "{}"u8.ToArray() }), AsyncEventFields.Payload, """{"transfer":1000000}"""),
            _ => signer.Signed(Billing, genuine),
        };

        // Straight into the stream, as any client with Redis' address (and password) could.
        await db.SetAddAsync(AsyncKeys.Registry, AsyncKeys.Member(Orders));
        await db.StreamAddAsync(AsyncKeys.Events(Orders), Entries(fields));
        var control = await gateway.EnqueueAsync(Orders);

        var deadLetters = await gateway.DeadLettersAsync();
        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(Orders) == 1, Deadline, "the forged entry is dead-lettered");
        await Eventually.HoldsAsync(() => _router.Calls.Any(c => c.Request.RequestId == control), Deadline, "the gateway's own event runs");
        Assert.DoesNotContain(_router.Calls, c => c.Request.RequestId == genuine.RequestId);
        Assert.Equal(1, meters.Sum(AsyncMetrics.EventsForged, ("namespace", "team-a"), ("function", "orders")));
        var entry = Assert.Single(await deadLetters.ListAsync(Orders, 10));
        Assert.Equal(AsyncMetrics.Forged, entry.Condition);
        Assert.False(entry.Signed);
        Assert.Null(await deadLetters.RedriveAsync(Orders, entry.Id));
        Assert.Equal(1, await deadLetters.CountAsync(Orders));
    }

    [Fact]
    public async Task Worker_UnsignedEventWithAcceptUnsigned_Runs()
    {
        // An upgrade from a version that did not sign: its events run while the option is on.
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, configure: o => o.AcceptUnsignedEvents = true);
        var db = await gateway.DatabaseAsync();
        var unsigned = AsyncEvent.New(Guid.NewGuid().ToString("D"), "{}"u8.ToArray(), DateTimeOffset.UtcNow, null, null);
        await db.SetAddAsync(AsyncKeys.Registry, AsyncKeys.Member(Orders));

        await db.StreamAddAsync(AsyncKeys.Events(Orders), Entries(AsyncEventFields.Flatten(unsigned)));

        await Eventually.HoldsAsync(() => _router.Calls.Any(c => c.Request.RequestId == unsigned.RequestId), Deadline, "the unsigned event runs");
    }

    [Fact]
    public async Task Worker_RetriedEvent_StaysValidAcrossEveryAttempt()
    {
        // Each retry rewrites the attempt count: the worker signs the event again each time.
        _catalog.Add(Orders.Namespace, Orders.Name, Lamina.Gateway.Functions.FunctionAsyncSettings.Default with { MaximumRetryAttempts = 2 });
        _router.Behaviour = ScriptedRouter.Fail;
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        using var meters = new MetricCollectors(gateway.Meters);

        var requestId = await gateway.EnqueueAsync(Orders);

        await Eventually.HoldsAsync(() => _router.Calls.Count(c => c.Request.RequestId == requestId) == 3, Deadline, "three attempts");
        Assert.Equal(0, meters.Sum(AsyncMetrics.EventsForged, ("namespace", "team-a"), ("function", "orders")));
        var deadLetters = await gateway.DeadLettersAsync();
        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(Orders) == 1, Deadline, "dead-lettered after the retries");
        Assert.True(Assert.Single(await deadLetters.ListAsync(Orders, 10)).Signed);
    }

    private static List<RedisValue> Changed(List<RedisValue> fields, string name, RedisValue value)
    {
        var at = fields.FindIndex(f => f == name);
        fields[at + 1] = value;
        return fields;
    }

    private static NameValueEntry[] Entries(List<RedisValue> flat)
    {
        var entries = new NameValueEntry[flat.Count / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new NameValueEntry(flat[2 * i], flat[(2 * i) + 1]);
        }

        return entries;
    }
}
