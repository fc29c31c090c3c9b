using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Worker;
using Lamina.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Gateway.Tests.Worker;

/// <summary>
/// The running set's slots (<see cref="RunningEvents"/>): at most MaxConcurrency events at once, an
/// entry at most once, and a slot back when its event ends. Its refresh loop needs Redis: that is the
/// integration tests' (AsyncWorkerTests.RunningEvents.cs).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RunningEventsTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly FunctionKey Orders = new("team-a", "orders");

    private readonly AsyncOptions _options = new() { MaxConcurrency = 2 };
    private readonly AsyncMetrics _metrics = new(TestMeters.Factory());
    private readonly FakeTimeProvider _time = new();
    private readonly RedisConnection _connection;
    private readonly RunningEvents _running;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _processed;

    public RunningEventsTests()
    {
        // Never connected: the slots touch no Redis (async is off in these options).
        _connection = new RedisConnection(Options.Create(_options), _metrics, NullLogger<RedisConnection>.Instance);
        _running = Running(_options);
    }

    public ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        return _connection.DisposeAsync();
    }

    [Fact]
    public void TryStart_EverySlotTaken_Refused()
    {
        Assert.True(_running.TryStart(Entry("1-0"), HeldAsync));
        Assert.True(_running.TryStart(Entry("2-0"), HeldAsync));

        Assert.False(_running.TryStart(Entry("3-0"), HeldAsync));
        Assert.Equal(2, _running.Count);
        Assert.Equal(0, _running.Free);
    }

    [Fact]
    public async Task TryStart_EntryAlreadyRunningHere_RefusedAndRunOnce()
    {
        Assert.True(_running.TryStart(Entry("1-0"), HeldAsync));

        // Claimed back after a missed refresh while it still runs here.
        Assert.False(_running.TryStart(Entry("1-0"), HeldAsync));
        Assert.Equal(1, _running.Count);
        Assert.Equal(1, _running.Free);
        _release.SetResult();
        await _running.WhenAllEnded().WaitAsync(Deadline);
        Assert.Equal(1, _processed);
    }

    [Fact]
    public async Task TryStart_EventEnds_ItsSlotIsFreeAndTheEntryMayRunAgain()
    {
        Assert.True(_running.TryStart(Entry("1-0"), HeldAsync));
        Assert.True(_running.TryStart(Entry("2-0"), _ => throw new InvalidOperationException("the attempt failed")));
        var free = _running.WaitForFreeAsync(CancellationToken.None);

        await free.WaitAsync(Deadline);
        _release.SetResult();
        await _running.WhenAllEnded().WaitAsync(Deadline);

        Assert.Equal(0, _running.Count);
        Assert.Equal(2, _running.Free);
        Assert.True(_running.TryStart(Entry("1-0"), HeldAsync));
    }

    [Fact]
    public async Task WaitForFreeAsync_EverySlotTaken_ReturnsWhenOneEndsWithoutTakingIt()
    {
        var running = Running(new AsyncOptions { MaxConcurrency = 1 });
        Assert.True(running.TryStart(Entry("1-0"), HeldAsync));

        var free = running.WaitForFreeAsync(CancellationToken.None);
        Assert.False(free.IsCompleted);
        _release.SetResult();

        await free.WaitAsync(Deadline);
        await running.WhenAllEnded().WaitAsync(Deadline);
        Assert.Equal(1, running.Free);
    }

    private RunningEvents Running(AsyncOptions options) =>
        new(new AsyncQueue(_connection, new EventSigner(""), _metrics, Options.Create(options), _time), "worker-a", options, _time, NullLogger<AsyncWorker>.Instance);

    private static QueuedEvent Entry(string id) => new(Orders, id, Event: null, []);

    private async Task HeldAsync(QueuedEvent entry)
    {
        Interlocked.Increment(ref _processed);
        await _release.Task;
    }
}
