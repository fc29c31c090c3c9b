using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Worker;
using Lamina.Testing;
using StackExchange.Redis;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>The running set (<see cref="RunningEvents"/>): at most MaxConcurrency at once, and refreshed so no other worker claims a running event.</summary>
public sealed partial class AsyncWorkerTests
{
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

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
