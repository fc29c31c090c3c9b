using System.Text.Json;
using Lamina.Gateway.Async;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Routing;
using Lamina.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>
/// The async workers against a real redis-server: events stored as the Invoke handler stores them are
/// invoked through the router with the caller's request id, retried by the rules, and end in a
/// destination or the dead-letter stream; a worker that dies mid-invocation leaves its event to another.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class AsyncWorkerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly FunctionKey Orders = new("team-a", "orders");
    private static readonly FunctionKey Failures = new("team-a", "failures");
    private static readonly FunctionKey Successes = new("team-a", "successes");

    private readonly StaticFunctionCatalog _catalog = new();
    private readonly ScriptedRouter _router = new();
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Worker_EventStored_InvokedOnceWithTheRequestIdTheCallerGot()
    {
        _catalog.Add(Orders.Namespace, Orders.Name);
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);

        var requestId = await gateway.EnqueueAsync(Orders, """{"order":17}""");

        await Eventually.HoldsAsync(() => _router.Calls.Count == 1, Deadline, "the event is invoked");
        var call = _router.Calls[0];
        Assert.Equal(Orders, call.Function);
        Assert.Equal(requestId, call.Request.RequestId);
        Assert.Equal("""{"order":17}""", System.Text.Encoding.UTF8.GetString(call.Request.Payload.Span));
        Assert.Equal("Event", call.Request.InvocationType);
        Assert.False(call.Request.LogTail);
        await Eventually.HoldsAsync(async () => await StreamLengthAsync(gateway, Orders) == 0, Deadline, "the entry is acknowledged and deleted");
        var db = await gateway.DatabaseAsync();
        Assert.Equal(0, await db.SortedSetLengthAsync(AsyncKeys.Ages(Orders)));
        Assert.Equal(0, await db.StreamLengthAsync(AsyncKeys.DeadLetter(Orders)));
        Assert.Single(_router.Calls);
    }

    [Fact]
    public async Task Worker_IdleWithAnHourLongPoll_EventStoredThroughThisReplicaStartsAtOnce()
    {
        _catalog.Add(Orders.Namespace, Orders.Name);
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, configure: options => options.PollInterval = TimeSpan.FromHours(1));
        await Eventually.HoldsAsync(() => gateway.Worker.IdleWaits >= 1, Deadline, "the worker found nothing and waits");

        await gateway.EnqueueAsync(Orders, "{}");

        // Only the wake-up can make this happen within the deadline: the next poll is an hour away.
        await Eventually.HoldsAsync(() => _router.Calls.Count == 1, Deadline, "the event runs without waiting for the poll");
    }

    [Fact]
    public async Task Worker_IdleWithAnHourLongPoll_EventStoredThroughAGatewayStartsAtOnce()
    {
        _catalog.Add(Orders.Namespace, Orders.Name);
        await using var worker = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, configure: options => options.PollInterval = TimeSpan.FromHours(1));
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, workers: false);
        await Eventually.HoldsAsync(() => worker.Worker.IdleWaits >= 1, Deadline, "the worker found nothing and waits");

        // A function the worker has never seen, stored by another process: only its announcement over
        // Redis can start it within the deadline (the worker's next poll is an hour away).
        await gateway.EnqueueAsync(Orders, "{}");

        await Eventually.HoldsAsync(() => _router.Calls.Count == 1, Deadline, "the event runs without waiting for the poll");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Worker_AlwaysFailingFunction_TriedOnePlusRetriesTimesWithTheSameRequestIdThenDeadLettered(int retries)
    {
        _catalog.Add(Orders.Namespace, Orders.Name, FunctionAsyncSettings.Default with { MaximumRetryAttempts = retries });
        _router.Behaviour = ScriptedRouter.Fail;
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);

        var requestId = await gateway.EnqueueAsync(Orders);

        var deadLetters = await gateway.DeadLettersAsync();
        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(Orders) == 1, Deadline, "the failed event is dead-lettered");
        Assert.Equal(1 + retries, _router.Calls.Count);
        Assert.All(_router.Calls, call => Assert.Equal(requestId, call.Request.RequestId));
        for (var i = 1; i < _router.Calls.Count; i++)
        {
            Assert.True(_router.Calls[i].At - _router.Calls[i - 1].At >= AsyncHarness.RetryDelay - TimeSpan.FromMilliseconds(5), "a retry waits its delay");
        }

        var entry = Assert.Single(await deadLetters.ListAsync(Orders, 10));
        Assert.Equal("RetriesExhausted", entry.Condition);
        Assert.Equal(requestId, entry.Event?.RequestId);
        using var record = JsonDocument.Parse(entry.Record);
        Assert.Equal("RetriesExhausted", record.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(1 + retries, record.RootElement.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal("Unhandled", record.RootElement.GetProperty("responseContext").GetProperty("functionError").GetString());
        Assert.Equal(0, await StreamLengthAsync(gateway, Orders));
        Assert.Equal(0, await (await gateway.DatabaseAsync()).SortedSetLengthAsync(AsyncKeys.Delayed(Orders)));
    }

    [Fact]
    public async Task Worker_FailingFunctionWithAnOnFailureDestination_ItsRecordIsAnEventOfTheDestination()
    {
        _catalog.Add(Orders.Namespace, Orders.Name, FunctionAsyncSettings.Default with { OnFailure = Failures.Name });
        _catalog.Add(Failures.Namespace, Failures.Name);
        _router.Behaviour = (function, request, token) => function == Orders ? ScriptedRouter.Fail(function, request, token) : ScriptedRouter.Succeed(function, request, token);
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);

        var requestId = await gateway.EnqueueAsync(Orders, """{"order":17}""");

        await Eventually.HoldsAsync(() => _router.CallsOf(Failures.Name).Count == 1, Deadline, "the record reaches the on-failure destination");
        Assert.Equal(3, _router.CallsOf(Orders.Name).Count);
        var delivered = _router.CallsOf(Failures.Name)[0].Request;
        Assert.NotEqual(requestId, delivered.RequestId);
        using var record = JsonDocument.Parse(delivered.Payload);
        var root = record.RootElement;
        Assert.Equal("1.0", root.GetProperty("version").GetString());
        Assert.Equal(requestId, root.GetProperty("requestContext").GetProperty("requestId").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:team-a.orders:$LATEST", root.GetProperty("requestContext").GetProperty("functionArn").GetString());
        Assert.Equal("RetriesExhausted", root.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(3, root.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(17, root.GetProperty("requestPayload").GetProperty("order").GetInt32());
        Assert.Equal("boom", root.GetProperty("responsePayload").GetProperty("errorMessage").GetString());
        await Eventually.HoldsAsync(async () => await StreamLengthAsync(gateway, Failures) == 0, Deadline, "the destination's event is done");
        Assert.Equal(0, await (await gateway.DeadLettersAsync()).CountAsync(Orders));
    }

    [Fact]
    public async Task Worker_SuccessWithAnOnSuccessDestination_ItsRecordIsAnEventOfTheDestination()
    {
        _catalog.Add(Orders.Namespace, Orders.Name, FunctionAsyncSettings.Default with { OnSuccess = Successes.Name });
        _catalog.Add(Successes.Namespace, Successes.Name);
        _router.Behaviour = ScriptedRouter.Succeed;
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        using var meters = new MetricCollectors(gateway.Meters);

        var requestId = await gateway.EnqueueAsync(Orders);

        await Eventually.HoldsAsync(() => _router.CallsOf(Successes.Name).Count == 1, Deadline, "the record reaches the on-success destination");
        using var record = JsonDocument.Parse(_router.CallsOf(Successes.Name)[0].Request.Payload);
        Assert.Equal("Success", record.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(requestId, record.RootElement.GetProperty("requestContext").GetProperty("requestId").GetString());
        Assert.True(record.RootElement.GetProperty("responsePayload").GetProperty("ok").GetBoolean());
        Assert.False(record.RootElement.GetProperty("responseContext").TryGetProperty("functionError", out _));
        Assert.Equal(1, meters.Sum(AsyncMetrics.EventsReceived, ("function", Orders.Name)));
        Assert.Equal(1, meters.Sum(AsyncMetrics.EventsReceived, ("function", Successes.Name)));
        Assert.Equal(0, meters.Sum(AsyncMetrics.EventsDropped));
    }

    [Fact]
    public async Task Worker_DestinationFunctionMissing_DeadLetteredAndCounted()
    {
        _catalog.Add(Orders.Namespace, Orders.Name, FunctionAsyncSettings.Default with { MaximumRetryAttempts = 0, OnFailure = "gone" });
        _router.Behaviour = ScriptedRouter.Fail;
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        using var meters = new MetricCollectors(gateway.Meters);

        await gateway.EnqueueAsync(Orders);

        var deadLetters = await gateway.DeadLettersAsync();
        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(Orders) == 1, Deadline, "the undeliverable record is dead-lettered");
        Assert.Equal(1, meters.Sum(AsyncMetrics.DestinationDeliveryFailures, ("namespace", Orders.Namespace), ("function", Orders.Name)));
        Assert.Equal(1, meters.Sum(AsyncMetrics.EventsDropped, ("function", Orders.Name), ("reason", "RetriesExhausted")));
        Assert.Equal(0, await StreamLengthAsync(gateway, new FunctionKey(Orders.Namespace, "gone")));
    }

    [Fact]
    public async Task Worker_ThrottledUntilTooOld_EventAgeExceeded()
    {
        _catalog.Add(Orders.Namespace, Orders.Name, FunctionAsyncSettings.Default with { MaximumEventAgeSeconds = 3, OnFailure = Failures.Name });
        _catalog.Add(Failures.Namespace, Failures.Name);
        _router.Behaviour = (function, request, token) => function == Orders
            ? Task.FromResult<RouteResult>(new RouteResult.Throttled(ThrottleReasons.ReservedConcurrency, "Rate Exceeded."))
            : ScriptedRouter.Succeed(function, request, token);
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        using var meters = new MetricCollectors(gateway.Meters);

        var requestId = await gateway.EnqueueAsync(Orders);

        await Eventually.HoldsAsync(() => _router.CallsOf(Failures.Name).Count == 1, Deadline, "the aged-out event's record reaches the destination");
        var attempts = _router.CallsOf(Orders.Name);
        Assert.True(attempts.Count >= 3, $"throttles are retried with backoff: {attempts.Count} attempts");
        Assert.All(attempts, call => Assert.Equal(requestId, call.Request.RequestId));
        using var record = JsonDocument.Parse(_router.CallsOf(Failures.Name)[0].Request.Payload);
        Assert.Equal("EventAgeExceeded", record.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(attempts.Count, record.RootElement.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(429, record.RootElement.GetProperty("responseContext").GetProperty("statusCode").GetInt32());
        Assert.Equal(1, meters.Sum(AsyncMetrics.EventsDropped, ("reason", "EventAgeExceeded")));
    }

    [Fact]
    public async Task Worker_UnknownFunction_RetriedUntilItAgesOutThenDeadLettered()
    {
        // The catalog may not know a function yet, or any more: never dropped at once.
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        var ghost = new FunctionKey("team-a", "ghost");
        var e = AsyncEvent.New(Guid.NewGuid().ToString("D"), "{}"u8.ToArray(), DateTimeOffset.UtcNow - TimeSpan.FromSeconds(21_598), null, null);

        await gateway.Queue.EnqueueAsync(ghost, e);

        var deadLetters = await gateway.DeadLettersAsync();
        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(ghost) == 1, Deadline, "the event ages out into the dead-letter stream");
        Assert.Empty(_router.Calls);
        var entry = Assert.Single(await deadLetters.ListAsync(ghost, 10));
        Assert.Equal("EventAgeExceeded", entry.Condition);
    }

    [Fact]
    public async Task Worker_KilledMidInvocation_AnotherWorkerClaimsItAfterTheThresholdWithTheSameRequestId()
    {
        _catalog.Add(Orders.Namespace, Orders.Name);
        var stuck = new ScriptedRouter { Behaviour = static async (_, _, token) => { await Task.Delay(Timeout.Infinite, token); throw new InvalidOperationException("unreachable"); } };
        var first = await AsyncHarness.StartAsync(_redis, _catalog, stuck, output);
        var requestId = await first.EnqueueAsync(Orders);
        await Eventually.HoldsAsync(() => stuck.Calls.Count == 1, Deadline, "the first worker runs the event");

        await first.KillAsync();
        await using var second = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);

        // That a claim waits for the threshold is Worker_InvocationRunningLongerThanTheThreshold_NeverClaimedByAnother's
        // proof; timing this claim against the kill would measure how late the killed worker's last refresh ran.
        await Eventually.HoldsAsync(() => _router.Calls.Count == 1, Deadline, "the second worker claims and runs the event");
        Assert.Equal(requestId, _router.Calls[0].Request.RequestId);
        await Eventually.HoldsAsync(async () => await StreamLengthAsync(second, Orders) == 0, Deadline, "the claimed event is acknowledged");
        Assert.Single(stuck.Calls);
    }

    [Fact]
    public async Task Worker_InvocationRunningLongerThanTheThreshold_NeverClaimedByAnother()
    {
        _catalog.Add(Orders.Namespace, Orders.Name);
        var release = new TaskCompletionSource();
        var slow = new ScriptedRouter
        {
            Behaviour = async (function, request, token) =>
            {
                await release.Task.WaitAsync(token);
                return new RouteResult.Completed("{}"u8.ToArray(), FunctionError: null, LogResult: null);
            },
        };
        // A threshold ten refreshes long, so a loaded machine's late refresh is no false alarm.
        var threshold = TimeSpan.FromSeconds(2);
        void Configure(AsyncOptions o) => o.ClaimThreshold = threshold;
        await using var first = await AsyncHarness.StartAsync(_redis, _catalog, slow, output, configure: Configure);
        await first.EnqueueAsync(Orders);
        await Eventually.HoldsAsync(() => slow.Calls.Count == 1, Deadline, "the first worker runs the event");
        await using var second = await AsyncHarness.StartAsync(_redis, _catalog, _router, output, configure: Configure);

        // The second worker looks for idle entries every quarter threshold: over twelve of its claim
        // passes (three thresholds), after each, the entry stays the first worker's and never looks idle.
        var db = await first.DatabaseAsync();
        var passes = second.Worker.ClaimPasses;
        for (var target = passes + 1; target <= passes + 12; target++)
        {
            await Eventually.HoldsAsync(() => second.Worker.ClaimPasses >= target, Deadline, "the second worker looks for idle entries");
            var pending = Assert.Single(await db.StreamPendingMessagesAsync(AsyncKeys.Events(Orders), AsyncKeys.Group, 10, RedisValue.Null));
            Assert.Equal(first.Worker.ConsumerName, pending.ConsumerName.ToString());
            Assert.True(pending.IdleTimeInMilliseconds < threshold.TotalMilliseconds, $"idle {pending.IdleTimeInMilliseconds} ms");
            Assert.Equal(1, pending.DeliveryCount);
        }

        release.SetResult();
        await Eventually.HoldsAsync(async () => await StreamLengthAsync(first, Orders) == 0, Deadline, "the event is acknowledged once it ends");
        Assert.Empty(_router.Calls);
        Assert.Single(slow.Calls);
    }

    [Fact]
    public async Task Worker_ManyEvents_MaxConcurrencyRunAtOnceAndNeverMore()
    {
        _catalog.Add(Orders.Namespace, Orders.Name);
        var running = 0;
        var most = 0;
        // Invocations are held until the workers have filled their concurrency: the cap is reached,
        // and any start beyond it would show in `most` before they are let go.
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var router = new ScriptedRouter
        {
            Behaviour = async (function, request, token) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                await full.Task.WaitAsync(token);
                Interlocked.Decrement(ref running);
                return new RouteResult.Completed("{}"u8.ToArray(), FunctionError: null, LogResult: null);
            },
        };
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, router, output, configure: o => o.MaxConcurrency = 4);

        for (var i = 0; i < 40; i++)
        {
            await gateway.EnqueueAsync(Orders);
        }

        await Eventually.HoldsAsync(() => Volatile.Read(ref running) == 4, Deadline, "four events run at once");
        full.SetResult();
        await Eventually.HoldsAsync(async () => router.Calls.Count == 40 && await StreamLengthAsync(gateway, Orders) == 0, Deadline, "every event runs");
        Assert.Equal(4, most);
        Assert.Equal(40, router.Calls.Select(c => c.Request.RequestId).Distinct().Count());
    }

    private static async Task<long> StreamLengthAsync(AsyncHarness gateway, FunctionKey function) =>
        await (await gateway.DatabaseAsync()).StreamLengthAsync(AsyncKeys.Events(function));

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
