using Lamina.Kubernetes.Queue;
using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.Queue;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class WorkQueueTests
{
    private readonly TimerCountingTimeProvider _clock = new();

    [Fact]
    public async Task Add_SameKeyTwice_HeldOnce()
    {
        using var queue = new WorkQueue<string>(_clock);

        queue.Add("default/a");
        queue.Add("default/a");

        Assert.Equal(1, queue.Count);
        Assert.Equal(("default/a", false), await queue.GetAsync());
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task GetAsync_SeveralKeys_HandedOutInTheOrderAdded()
    {
        using var queue = new WorkQueue<string>(_clock);

        queue.Add("b");
        queue.Add("a");
        queue.Add("c");

        Assert.Equal("b", (await queue.GetAsync()).Key);
        Assert.Equal("a", (await queue.GetAsync()).Key);
        Assert.Equal("c", (await queue.GetAsync()).Key);
    }

    [Fact]
    public async Task Add_WhileProcessing_QueuedAgainOnlyAfterDone()
    {
        using var queue = new WorkQueue<string>(_clock);
        queue.Add("a");
        var (key, _) = await queue.GetAsync();

        queue.Add("a");
        queue.Add("a");

        Assert.Equal(0, queue.Count); // one worker at a time per key
        queue.Done(key);
        Assert.Equal(1, queue.Count);
        Assert.Equal("a", (await queue.GetAsync()).Key);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Done_NotAddedWhileProcessing_NotQueuedAgain()
    {
        using var queue = new WorkQueue<string>(_clock);
        queue.Add("a");
        var (key, _) = await queue.GetAsync();

        queue.Done(key);

        Assert.Equal(0, queue.Count);
        Assert.False(queue.GetAsync().IsCompleted);
    }

    [Fact]
    public async Task GetAsync_EmptyQueue_CompletesWhenAKeyIsAdded()
    {
        using var queue = new WorkQueue<string>(_clock);

        var get = queue.GetAsync();
        Assert.False(get.IsCompleted);
        queue.Add("a");

        Assert.True(get.IsCompletedSuccessfully);
        Assert.Equal(("a", false), await get);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task GetAsync_SeveralWaiting_FirstWaiterServedFirst()
    {
        using var queue = new WorkQueue<string>(_clock);
        var first = queue.GetAsync();
        var second = queue.GetAsync();

        queue.Add("a");

        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        queue.Add("b");
        Assert.Equal("b", (await second).Key);
    }

    [Fact]
    public async Task GetAsync_Cancelled_ThrowsAndTheKeyGoesToTheNextGetter()
    {
        using var queue = new WorkQueue<string>(_clock);
        using var cancel = new CancellationTokenSource();
        var cancelled = queue.GetAsync(cancel.Token);
        var other = queue.GetAsync();

        await cancel.CancelAsync();
        queue.Add("a");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal("a", (await other).Key);
    }

    [Fact]
    public async Task AddAfter_BeforeTheDelay_NotQueued_ThenQueued()
    {
        using var queue = new WorkQueue<string>(_clock);

        queue.AddAfter("a", TimeSpan.FromSeconds(10));

        _clock.Advance(TimeSpan.FromSeconds(9.999));
        Assert.Equal(0, queue.Count);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Count);
        Assert.Equal("a", (await queue.GetAsync()).Key);
    }

    [Fact]
    public void AddAfter_ZeroDelay_QueuedAtOnce()
    {
        using var queue = new WorkQueue<string>(_clock);

        queue.AddAfter("a", TimeSpan.Zero);

        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task AddAfter_SameKeyTwice_EarliestDueTimeWinsAndKeyQueuedOnce()
    {
        using var queue = new WorkQueue<string>(_clock);

        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(5));
        queue.AddAfter("a", TimeSpan.FromSeconds(20));

        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, queue.Count);
        queue.Done((await queue.GetAsync()).Key);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task AddAfter_SeveralKeys_QueuedInDueTimeOrder()
    {
        using var queue = new WorkQueue<string>(_clock);

        queue.AddAfter("late", TimeSpan.FromSeconds(3));
        queue.AddAfter("early", TimeSpan.FromSeconds(1));
        queue.AddAfter("middle", TimeSpan.FromSeconds(2));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Count);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("early", (await queue.GetAsync()).Key);
        Assert.Equal("middle", (await queue.GetAsync()).Key);
        Assert.Equal("late", (await queue.GetAsync()).Key);
    }

    [Fact]
    public void AddAfter_KeyAlreadyQueued_StillHeldOnce()
    {
        using var queue = new WorkQueue<string>(_clock);
        queue.Add("a");

        queue.AddAfter("a", TimeSpan.FromSeconds(1));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task AddRateLimited_RepeatedFailures_DelayStartsAt5MsAndDoubles()
    {
        using var queue = new WorkQueue<string>(_clock);
        TimeSpan[] expected = [TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(40)];

        for (var i = 0; i < expected.Length; i++)
        {
            queue.AddRateLimited("a");
            Assert.Equal(i + 1, queue.NumRequeues("a"));

            _clock.Advance(expected[i] - TimeSpan.FromTicks(1));
            Assert.Equal(0, queue.Count);
            _clock.Advance(TimeSpan.FromTicks(1));
            Assert.Equal(1, queue.Count);
            queue.Done((await queue.GetAsync()).Key);
        }
    }

    [Fact]
    public async Task AddRateLimited_ManyFailures_DelayCappedAt1000Seconds()
    {
        using var queue = new WorkQueue<string>(_clock);
        for (var i = 0; i < 40; i++)
        {
            queue.AddRateLimited("a"); // the key waits for the earliest of these; only the count matters
        }

        _clock.Advance(TimeSpan.FromMilliseconds(5));
        queue.Done((await queue.GetAsync()).Key);

        queue.AddRateLimited("a");
        _clock.Advance(TimeSpan.FromSeconds(1000) - TimeSpan.FromTicks(1));
        Assert.Equal(0, queue.Count);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, queue.Count);
        Assert.Equal(41, queue.NumRequeues("a"));
    }

    [Fact]
    public void Forget_AfterFailures_BackoffStartsOver()
    {
        using var queue = new WorkQueue<string>(_clock);
        queue.AddRateLimited("a");
        queue.AddRateLimited("a");
        _clock.Advance(TimeSpan.FromSeconds(1));
        _ = queue.GetAsync();

        queue.Forget("a");

        Assert.Equal(0, queue.NumRequeues("a"));
        queue.Done("a");
        queue.AddRateLimited("a");
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void NumRequeues_PerKey_Independent()
    {
        using var queue = new WorkQueue<string>(_clock);

        queue.AddRateLimited("a");
        queue.AddRateLimited("a");
        queue.AddRateLimited("b");

        Assert.Equal(2, queue.NumRequeues("a"));
        Assert.Equal(1, queue.NumRequeues("b"));
        Assert.Equal(0, queue.NumRequeues("c"));
    }

    [Fact]
    public void WorkQueueOptions_CustomBackoff_Used()
    {
        using var queue = new WorkQueue<string>(_clock, new WorkQueueOptions { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(3) });

        queue.AddRateLimited("a");
        queue.AddRateLimited("b");
        queue.AddRateLimited("b");
        queue.AddRateLimited("b");
        queue.AddRateLimited("c");
        queue.Forget("c");
        for (var i = 0; i < 3; i++)
        {
            queue.AddRateLimited("c");
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, queue.Count); // a after 1 s; b and c waited for their first (1 s) delay
    }

    [Fact]
    public void Count_ProcessingAndDelayedKeys_NotCounted()
    {
        using var queue = new WorkQueue<string>(_clock);
        queue.Add("processing");
        _ = queue.GetAsync();
        queue.AddAfter("delayed", TimeSpan.FromSeconds(1));
        queue.Add("ready");

        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task ShutDown_WaitingGetters_CompleteWithShutDown()
    {
        using var queue = new WorkQueue<string>(_clock);
        var first = queue.GetAsync();
        var second = queue.GetAsync();

        queue.ShutDown();

        Assert.True((await first).ShutDown);
        Assert.True((await second).ShutDown);
        Assert.True((await queue.GetAsync()).ShutDown);
        Assert.True(queue.IsShuttingDown);
    }

    [Fact]
    public async Task ShutDown_KeysQueued_HandedOutThenShutDown()
    {
        using var queue = new WorkQueue<string>(_clock);
        queue.Add("a");

        queue.ShutDown();

        Assert.Equal(("a", false), await queue.GetAsync());
        Assert.True((await queue.GetAsync()).ShutDown);
    }

    [Fact]
    public void ShutDown_LaterAddsAndDelayedKeys_Ignored()
    {
        using var queue = new WorkQueue<string>(_clock);
        queue.AddAfter("delayed", TimeSpan.FromSeconds(1));

        queue.ShutDown();
        queue.Add("a");
        queue.AddAfter("b", TimeSpan.FromSeconds(1));
        queue.AddRateLimited("c");
        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(0, queue.Count);
        Assert.Equal(0, _clock.ActiveTimers);
    }

    [Fact]
    public async Task GetAsync_ManyWorkersAndAdds_NoKeyProcessedByTwoWorkersAtOnce()
    {
        const int workers = 4;
        using var queue = new WorkQueue<int>(_clock);
        var inProcess = new int[10];
        var overlaps = 0;
        var processed = 0;

        var running = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var (key, shutDown) = await queue.GetAsync();
                if (shutDown)
                {
                    return;
                }

                if (Interlocked.Increment(ref inProcess[key]) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Yield();
                Interlocked.Decrement(ref inProcess[key]);
                Interlocked.Increment(ref processed);
                queue.Done(key);
            }
        })).ToArray();
        for (var i = 0; i < 10_000; i++)
        {
            queue.Add(i % 10);
        }

        await Eventually.HoldsAsync(() => queue.Count == 0, TimeSpan.FromSeconds(30), "the workers drain the queue");
        queue.ShutDown();
        await Task.WhenAll(running);

        Assert.Equal(0, overlaps);
        Assert.InRange(processed, 10, 10_000);
    }
}
