using Lamina.Gateway.Worker;
using Lamina.Testing;
using StackExchange.Redis;

namespace Lamina.Gateway.Tests.Worker;

/// <summary>
/// The rule for a write that ends an attempt (<see cref="OutcomeWriter.WriteWhileDownAsync"/>): tried
/// again every second while Redis is unreachable, for as long as the entry stays this replica's (the
/// claim threshold), on a fake clock; any other failure is thrown at once.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class OutcomeWriterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ClaimThreshold = TimeSpan.FromSeconds(3);

    // docs/async.md: a worker "retries the write every second"; the fake clock steps by it.
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private readonly TimerCountingTimeProvider _time = new();
    private int _calls;

    [Fact]
    public async Task WriteWhileDownAsync_RedisUnreachableTwiceThenBack_TriedAgainEverySecondThenItsAnswer()
    {
        var write = OutcomeWriter.WriteWhileDownAsync(() => ++_calls <= 2 ? Down() : Task.FromResult(true), _time, ClaimThreshold, CancellationToken.None);

        Assert.Equal(1, _calls);
        await WaitingAsync();
        _time.Advance(Second - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _calls);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.HoldsAsync(() => Volatile.Read(ref _calls) == 2, Deadline, "the write is tried again after a second");
        await WaitingAsync();
        _time.Advance(Second);

        Assert.True(await write.WaitAsync(Deadline));
        Assert.Equal(3, _calls);
    }

    [Fact]
    public async Task WriteWhileDownAsync_RedisUnreachableForTheClaimThreshold_TheFailureIsThrown()
    {
        var write = OutcomeWriter.WriteWhileDownAsync(() => { Interlocked.Increment(ref _calls); return TimedOut(); }, _time, ClaimThreshold, CancellationToken.None);

        // Tried at 0, 1 and 2 s; the try at 3 s is the threshold's, and its failure is the caller's.
        for (var second = 1; second <= 3; second++)
        {
            await WaitingAsync();
            _time.Advance(Second);
        }

        await Assert.ThrowsAsync<RedisTimeoutException>(() => write.WaitAsync(Deadline));
        Assert.Equal(4, _calls);
    }

    [Fact]
    public async Task WriteWhileDownAsync_RedisRefusesTheWrite_ThrownAtOnce()
    {
        // Redis answered: trying the same script again would get the same answer.
        var write = OutcomeWriter.WriteWhileDownAsync(
            () => { _calls++; return Task.FromException<bool>(new RedisServerException(RedisErrorKind.UnknownError, CommandFlags.None, "ERR the script failed")); }, _time, ClaimThreshold, CancellationToken.None);

        await Assert.ThrowsAsync<RedisServerException>(() => write.WaitAsync(Deadline));
        Assert.Equal(1, _calls);
        Assert.Equal(0, _time.ActiveTimers);
    }

    [Fact]
    public async Task WriteWhileDownAsync_EntryNoLongerPending_FalseWithoutTryingAgain()
    {
        var done = await OutcomeWriter.WriteWhileDownAsync(() => { _calls++; return Task.FromResult(false); }, _time, ClaimThreshold, CancellationToken.None);

        Assert.False(done);
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task WriteWhileDownAsync_AbortedWhileWaitingForRedis_CancelledWithoutTryingAgain()
    {
        using var abort = new CancellationTokenSource();
        var write = OutcomeWriter.WriteWhileDownAsync(() => { Interlocked.Increment(ref _calls); return Down(); }, _time, ClaimThreshold, abort.Token);
        await WaitingAsync();

        await abort.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(Deadline));
        Assert.Equal(1, _calls);
    }

    private static Task<bool> Down() =>
        Task.FromException<bool>(new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "No connection is active/available to service this operation", null, CommandStatus.Unknown));

    private static Task<bool> TimedOut() =>
        Task.FromException<bool>(new RedisTimeoutException(CommandFlags.None, "Timeout awaiting response", CommandStatus.Sent));

    /// <summary>Until the rule waits out its retry delay on the fake clock.</summary>
    private Task WaitingAsync() => Eventually.HoldsAsync(() => _time.ActiveTimers == 1, Deadline, "the write waits before trying again");
}
