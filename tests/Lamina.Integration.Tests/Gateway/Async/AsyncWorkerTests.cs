using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Worker;
using Lamina.Testing;
using Xunit.Abstractions;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>
/// The async workers against a real redis-server: events stored as the Invoke handler stores them are
/// invoked through the router with the caller's request id, retried by the rules, and end in a
/// destination or the dead-letter stream; a worker that dies mid-invocation leaves its event to another.
/// This file: reading and claiming (<see cref="AsyncWorker"/>); the outcomes are in
/// AsyncWorkerTests.OutcomeWriter.cs, the running set and its refresh in AsyncWorkerTests.RunningEvents.cs.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed partial class AsyncWorkerTests(ITestOutputHelper output) : IAsyncLifetime
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

    private static async Task<long> StreamLengthAsync(AsyncHarness gateway, FunctionKey function) =>
        await (await gateway.DatabaseAsync()).StreamLengthAsync(AsyncKeys.Events(function));
}
