using System.Collections.Concurrent;
using System.Net;
using Lamina.Kubernetes.LeaderElection;
using k8s.Models;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lamina.Kubernetes.Tests.LeaderElection;

/// <summary>
/// The elector against the recording fake, on a fake clock that the tests move one retry period
/// at a time, each time waiting until the elector waits again (<see cref="SteppingClock"/>).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class LeaderElectorTests : IDisposable
{
    private const string Namespace = "lamina-system";
    private const string LeaseName = "lamina-operator";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Retry = LeaderElectionOptions.DefaultRetryPeriod;

    private readonly SteppingClock _clock = new();
    private readonly FakeKubernetesClient _client = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _newLeaders = new();
    private readonly TaskCompletionSource<CancellationToken> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopped;

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _clock.Dispose();
    }

    [Fact]
    public async Task RunAsync_NoLease_CreatesItAndLeads()
    {
        var elector = NewElector("me");

        var run = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();

        var lease = CurrentLease();
        Assert.Equal("me", lease.Spec!.HolderIdentity);
        Assert.Equal(15, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, lease.Spec.AcquireTime);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, lease.Spec.RenewTime);
        Assert.Equal(0, lease.Spec.LeaseTransitions);
        Assert.True(elector.IsLeader);
        Assert.Equal("me", elector.Leader);
        Assert.Equal(["me"], _newLeaders);
        var leading = await _started.Task.WaitAsync(Deadline);
        Assert.False(leading.IsCancellationRequested);
        Assert.False(run.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_ReleasedLease_TakesItAndCountsATransition()
    {
        SeedLease(holder: "", renewedAgo: TimeSpan.Zero, transitions: 3);
        var elector = NewElector("me");

        _ = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();

        var lease = CurrentLease();
        Assert.Equal("me", lease.Spec!.HolderIdentity);
        Assert.Equal(4, lease.Spec.LeaseTransitions);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, lease.Spec.AcquireTime);
        Assert.True(elector.IsLeader);
        await _started.Task.WaitAsync(Deadline);
    }

    [Fact]
    public async Task RunAsync_LeaseHeldAndUnexpired_WaitsWithoutWriting()
    {
        SeedLease(holder: "other", renewedAgo: TimeSpan.Zero, transitions: 1);
        var elector = NewElector("me");

        _ = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();
        await StepsAsync(7); // 14 s

        Assert.False(elector.IsLeader);
        Assert.Equal("other", elector.Leader);
        Assert.Equal(["other"], _newLeaders);
        Assert.Empty(_client.Writes);
        Assert.Equal(8, _client.Requests.Count(r => r.Verb == "get")); // at 0, 2, …, 14 s
        Assert.False(_started.Task.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_HolderStopsRenewing_TakesOverOnceRenewTimePlusDurationHasPassed()
    {
        SeedLease(holder: "other", renewedAgo: TimeSpan.Zero, transitions: 1);
        var elector = NewElector("me");
        _ = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();

        await StepsAsync(7); // 14 s
        Assert.False(elector.IsLeader);
        await _clock.StepAsync(Retry); // 16 s: the lease, renewed at 0 s for 15 s, has expired

        Assert.True(elector.IsLeader);
        var lease = CurrentLease();
        Assert.Equal("me", lease.Spec!.HolderIdentity);
        Assert.Equal(2, lease.Spec.LeaseTransitions);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, lease.Spec.AcquireTime);
        Assert.Equal(["other", "me"], _newLeaders);
        await _started.Task.WaitAsync(Deadline);
    }

    [Fact]
    public async Task RunAsync_LeaseExpiredLongAgo_TakesOverAtOnce()
    {
        SeedLease(holder: "crashed", renewedAgo: TimeSpan.FromMinutes(5), transitions: 7);
        var elector = NewElector("me");

        _ = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();

        Assert.True(elector.IsLeader);
        Assert.Equal(8, CurrentLease().Spec!.LeaseTransitions);
        await _started.Task.WaitAsync(Deadline);
    }

    [Fact]
    public async Task RunAsync_HolderKeepsRenewing_NeverLeads()
    {
        SeedLease(holder: "other", renewedAgo: TimeSpan.Zero, transitions: 1);
        var elector = NewElector("me");
        _ = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();

        for (var i = 0; i < 30; i++)
        {
            await _clock.StepAsync(Retry);
            _client.Mutate<V1Lease>(Namespace, LeaseName, l => l.Spec!.RenewTime = _clock.GetUtcNow().UtcDateTime);
        }

        Assert.False(elector.IsLeader);
        Assert.Empty(_client.Writes);
    }

    [Fact]
    public async Task RunAsync_Leading_RenewsEveryRetryPeriod()
    {
        var elector = NewElector("me");
        _ = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();
        var acquiredAt = _clock.GetUtcNow().UtcDateTime;

        for (var i = 1; i <= 5; i++)
        {
            await _clock.StepAsync(Retry);
            var lease = CurrentLease();
            Assert.Equal(_clock.GetUtcNow().UtcDateTime, lease.Spec!.RenewTime);
            Assert.Equal(acquiredAt, lease.Spec.AcquireTime);
            Assert.Equal(0, lease.Spec.LeaseTransitions);
        }

        Assert.Equal(["create", "replace", "replace", "replace", "replace", "replace"], _client.Writes.Select(w => w.Verb));
        Assert.True(elector.IsLeader);
        Assert.False((await _started.Task.WaitAsync(Deadline)).IsCancellationRequested);
    }

    [Fact]
    public async Task RunAsync_RenewalsFailUntilTheRenewDeadline_StopsLeadingWithoutReleasing()
    {
        var elector = NewElector("me");
        var run = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();
        var leading = await _started.Task.WaitAsync(Deadline);
        _client.FailNext(r => r.Verb == "replace", FakeKubernetesClient.ApiError(HttpStatusCode.InternalServerError, "InternalError"), times: int.MaxValue);

        await StepsAsync(4); // renewals at 2, 4, 6, 8 s fail
        Assert.True(elector.IsLeader);
        Assert.False(leading.IsCancellationRequested);
        _clock.Advance(Retry); // 10 s since the last renewal: the renew deadline

        await run.WaitAsync(Deadline);
        Assert.False(elector.IsLeader);
        Assert.True(leading.IsCancellationRequested);
        Assert.Equal(1, _stopped);
        Assert.Equal("me", CurrentLease().Spec!.HolderIdentity); // a leader that lost touch does not write
    }

    [Fact]
    public async Task RunAsync_RenewalFailsThenSucceedsBeforeTheDeadline_StaysLeader()
    {
        var elector = NewElector("me");
        _ = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();
        var leading = await _started.Task.WaitAsync(Deadline);
        _client.FailNext(r => r.Verb == "get", FakeKubernetesClient.ApiError(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable"), times: 3);

        await StepsAsync(3); // failures at 2, 4, 6 s
        await _clock.StepAsync(Retry); // renewed at 8 s
        await StepsAsync(8);

        Assert.True(elector.IsLeader);
        Assert.False(leading.IsCancellationRequested);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, CurrentLease().Spec!.RenewTime);
    }

    [Fact]
    public async Task RunAsync_LeaseTakenByAnother_StopsLeadingAtOnce()
    {
        var elector = NewElector("me");
        var run = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();
        var leading = await _started.Task.WaitAsync(Deadline);

        _client.Mutate<V1Lease>(Namespace, LeaseName, l =>
        {
            l.Spec!.HolderIdentity = "usurper";
            l.Spec.RenewTime = _clock.GetUtcNow().UtcDateTime;
        });
        _clock.Advance(Retry);

        await run.WaitAsync(Deadline);
        Assert.False(elector.IsLeader);
        Assert.True(leading.IsCancellationRequested);
        Assert.Equal("usurper", elector.Leader);
        Assert.Equal("usurper", CurrentLease().Spec!.HolderIdentity);
        Assert.Equal(["me", "usurper"], _newLeaders);
    }

    [Fact]
    public async Task RunAsync_Stopped_ReleasesTheLease()
    {
        var elector = NewElector("me");
        var run = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();
        var leading = await _started.Task.WaitAsync(Deadline);
        await _clock.StepAsync(Retry);

        await _stop.CancelAsync();
        await run.WaitAsync(Deadline);

        var lease = CurrentLease();
        Assert.Equal("", lease.Spec!.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(0, lease.Spec.LeaseTransitions);
        Assert.True(leading.IsCancellationRequested);
        Assert.False(elector.IsLeader);
        Assert.Null(elector.Leader);
        Assert.Equal(1, _stopped);
    }

    [Fact]
    public async Task RunAsync_StoppedWithoutRelease_LeaseKeptUntilItExpires()
    {
        var elector = NewElector("me", releaseOnCancel: false);
        var run = elector.RunAsync(_stop.Token);
        await _started.Task.WaitAsync(Deadline);

        await _stop.CancelAsync();
        await run.WaitAsync(Deadline);

        Assert.Equal("me", CurrentLease().Spec!.HolderIdentity);
        Assert.Equal(["create"], _client.Writes.Select(w => w.Verb));
        Assert.Equal(1, _stopped);
    }

    [Fact]
    public async Task RunAsync_ReleasedBySuccessor_NextElectorTakesOverAtItsNextRetry()
    {
        var first = NewElector("first");
        var firstRun = first.RunAsync(_stop.Token);
        await _clock.ParkedAsync();
        using var secondStop = new CancellationTokenSource();
        var second = NewElector("second");
        _ = second.RunAsync(secondStop.Token);
        await _clock.ParkedAsync();
        Assert.False(second.IsLeader);

        await _stop.CancelAsync();
        await firstRun.WaitAsync(Deadline);
        await _clock.StepAsync(Retry);

        Assert.True(second.IsLeader);
        Assert.Equal(1, CurrentLease().Spec!.LeaseTransitions);
        await secondStop.CancelAsync();
    }

    [Fact]
    public async Task RunAsync_StoppedBeforeAcquiring_ReturnsWithoutWriting()
    {
        SeedLease(holder: "other", renewedAgo: TimeSpan.Zero, transitions: 0);
        var elector = NewElector("me");
        var run = elector.RunAsync(_stop.Token);

        await _stop.CancelAsync();
        await run.WaitAsync(Deadline);

        Assert.Empty(_client.Writes);
        Assert.Equal(0, _stopped);
    }

    [Fact]
    public async Task RunAsync_AnotherWritesBetweenReadAndTakeover_ConflictThenFollowsTheWinner()
    {
        SeedLease(holder: "crashed", renewedAgo: TimeSpan.FromMinutes(1), transitions: 2);
        var raced = false;
        // Between this elector's read and its replace, a rival takes the lease: the replace then
        // carries a stale resourceVersion and the fake answers Conflict, as the API server would.
        _client.FailNext(r =>
        {
            if (!raced && r.Verb == "replace")
            {
                raced = true;
                _client.Mutate<V1Lease>(Namespace, LeaseName, l =>
                {
                    l.Spec!.HolderIdentity = "rival";
                    l.Spec.RenewTime = _clock.GetUtcNow().UtcDateTime;
                    l.Spec.LeaseTransitions = 3;
                });
            }

            return false;
        }, new InvalidOperationException("never thrown"));
        var elector = NewElector("me");

        _ = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();
        Assert.True(raced);
        Assert.False(elector.IsLeader);
        await _clock.StepAsync(Retry);

        Assert.False(elector.IsLeader);
        Assert.Equal("rival", elector.Leader);
        var lease = CurrentLease();
        Assert.Equal("rival", lease.Spec!.HolderIdentity);
        Assert.Equal(3, lease.Spec.LeaseTransitions);
        Assert.Equal(["replace"], _client.Writes.Select(w => w.Verb)); // the one that conflicted
    }

    [Fact]
    public async Task RunAsync_AnotherCreatesTheLeaseFirst_AlreadyExistsThenFollowsTheCreator()
    {
        var raced = false;
        _client.FailNext(r =>
        {
            if (!raced && r.Verb == "create")
            {
                raced = true;
                SeedLease(holder: "rival", renewedAgo: TimeSpan.Zero, transitions: 0);
            }

            return false;
        }, new InvalidOperationException("never thrown"));
        var elector = NewElector("me");

        _ = elector.RunAsync(_stop.Token);
        await _clock.ParkedAsync();
        await _clock.StepAsync(Retry);

        Assert.True(raced);
        Assert.False(elector.IsLeader);
        Assert.Equal("rival", elector.Leader);
        Assert.Equal("rival", CurrentLease().Spec!.HolderIdentity);
    }

    [Fact]
    public async Task RunAsync_TwoElectors_ExactlyOneLeads()
    {
        using var otherStop = new CancellationTokenSource();
        var a = NewElector("a");
        var b = NewElector("b");

        _ = a.RunAsync(_stop.Token);
        _ = b.RunAsync(otherStop.Token);
        await _clock.ParkedAsync(delays: 2);
        for (var i = 0; i < 20; i++)
        {
            await _clock.StepAsync(Retry, delays: 2);
            Assert.True(a.IsLeader ^ b.IsLeader);
        }

        Assert.Equal("a", CurrentLease().Spec!.HolderIdentity);
        await otherStop.CancelAsync();
    }

    [Fact]
    public async Task RunAsync_WorkFails_StepsDownAndReleases()
    {
        var elector = new LeaderElector(_client, Options(identity: "me"), new LeaderElectionCallbacks
        {
            OnStartedLeading = _ => throw new InvalidOperationException("the controller crashed"),
            OnStoppedLeading = () => Interlocked.Increment(ref _stopped),
        }, _clock, NullLogger<LeaderElector>.Instance);

        await elector.RunAsync(_stop.Token).WaitAsync(Deadline);

        Assert.False(elector.IsLeader);
        Assert.Equal("", CurrentLease().Spec!.HolderIdentity);
        Assert.Equal(1, _stopped);
    }

    [Fact]
    public async Task RunAsync_CalledTwiceAtOnce_Throws()
    {
        var elector = NewElector("me");
        _ = elector.RunAsync(_stop.Token);

        await Assert.ThrowsAsync<InvalidOperationException>(() => elector.RunAsync(_stop.Token));
    }

    [Fact]
    public void Constructor_RenewDeadlineNotBelowLeaseDuration_Throws()
    {
        var options = Options(identity: "me");
        options.Value.RenewDeadline = options.Value.LeaseDuration;

        var error = Assert.Throws<OptionsValidationException>(() =>
            new LeaderElector(_client, options, new LeaderElectionCallbacks(), _clock, NullLogger<LeaderElector>.Instance));

        Assert.Contains("LeaseDuration must be greater than RenewDeadline", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultIdentity_TwoCalls_DifferentSuffixes()
    {
        var first = LeaderElectionOptions.DefaultIdentity();
        var second = LeaderElectionOptions.DefaultIdentity();

        Assert.NotEqual(first, second);
        Assert.Equal(first[..first.LastIndexOf('_')], second[..second.LastIndexOf('_')]);
    }

    private async Task StepsAsync(int retryPeriods)
    {
        for (var i = 0; i < retryPeriods; i++)
        {
            await _clock.StepAsync(Retry);
        }
    }

    private LeaderElector NewElector(string identity, bool releaseOnCancel = true) =>
        new(_client, Options(identity, releaseOnCancel), new LeaderElectionCallbacks
        {
            OnStartedLeading = async leading =>
            {
                _started.TrySetResult(leading);
                await Task.Delay(Timeout.Infinite, leading);
            },
            OnStoppedLeading = () => Interlocked.Increment(ref _stopped),
            OnNewLeader = _newLeaders.Enqueue,
        }, _clock, NullLogger<LeaderElector>.Instance);

    private static IOptions<LeaderElectionOptions> Options(string identity, bool releaseOnCancel = true) =>
        Microsoft.Extensions.Options.Options.Create(new LeaderElectionOptions
        {
            Namespace = Namespace,
            LeaseName = LeaseName,
            Identity = identity,
            ReleaseOnCancel = releaseOnCancel,
        });

    private void SeedLease(string holder, TimeSpan renewedAgo, int transitions) =>
        _client.Seed(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = LeaseName, NamespaceProperty = Namespace },
            Spec = new V1LeaseSpec
            {
                HolderIdentity = holder,
                LeaseDurationSeconds = 15,
                AcquireTime = _clock.GetUtcNow().UtcDateTime - renewedAgo,
                RenewTime = _clock.GetUtcNow().UtcDateTime - renewedAgo,
                LeaseTransitions = transitions,
            },
        });

    private V1Lease CurrentLease() => _client.Peek<V1Lease>(Namespace, LeaseName) ?? throw new InvalidOperationException("no lease");
}
