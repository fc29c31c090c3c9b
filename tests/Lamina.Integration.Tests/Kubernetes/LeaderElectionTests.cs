using Lamina.Kubernetes.Client;
using k8s.Models;
using Lamina.Testing;

namespace Lamina.Integration.Tests.Kubernetes;

/// <summary>
/// Two replicas campaigning for one Lease on a real kube-apiserver, with lease 3 s, renew
/// deadline 2 s and retry 0.5 s (<see cref="LeaderElectionReplica"/>). Timings are asserted through
/// the Lease's own times, not the test's stopwatch.
/// </summary>
[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class LeaderElectionTests(ApiServerFixture apiServer) : IDisposable
{
    private const string LeaseName = "lamina-operator";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly KubernetesObjectClient _client = apiServer.CreateKubernetesClient();
    private readonly LeaderElectionConcurrency _leaders = new();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task RunAsync_TwoReplicas_ExactlyOneLeadsAndKeepsRenewing()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "election");
        await using var a = Replica(ns, "a");
        await using var b = Replica(ns, "b");

        a.Start();
        b.Start();
        await Eventually.HoldsAsync(() => a.Elector.IsLeader || b.Elector.IsLeader, Deadline, "one replica leads");
        var leader = a.Elector.IsLeader ? a : b;
        var follower = leader == a ? b : a;

        // Watch the leader renew several times; the follower must never lead meanwhile.
        var renewals = new HashSet<DateTimeOffset>();
        await Eventually.HoldsAsync(() => renewals.Count >= 5, Deadline, "the leader renews the lease five times", async () =>
        {
            var lease = await LeaseAsync(ns);
            Assert.Equal(leader.Elector.Identity, lease.Spec!.HolderIdentity);
            Assert.False(follower.Elector.IsLeader, "both replicas lead");
            renewals.Add(lease.Spec.RenewTime!.Value);
        });

        Assert.Equal(leader.Elector.Identity, follower.Elector.Leader);
        Assert.Equal(1, _leaders.Most);
        Assert.Equal(0, (await LeaseAsync(ns)).Spec!.LeaseTransitions);
    }

    [Fact]
    public async Task RunAsync_LeaderReleases_OtherTakesOverBeforeTheLeaseWouldHaveExpired()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "election");
        await using var first = Replica(ns, "first");
        await using var second = Replica(ns, "second");
        first.Start();
        await Eventually.HoldsAsync(() => first.Elector.IsLeader, Deadline, "the first replica leads");
        second.Start();
        await Eventually.HoldsAsync(() => second.Elector.Leader == first.Elector.Identity, Deadline, "the second replica sees the first lead");

        var renewedBeforeStop = (await LeaseAsync(ns)).Spec!.RenewTime!.Value;
        await first.StopAsync();
        await Eventually.HoldsAsync(() => second.Elector.IsLeader, Deadline, "the second replica leads");

        var lease = await LeaseAsync(ns);
        Assert.Equal(second.Elector.Identity, lease.Spec!.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        // Without the release it could not have acquired before the first's last renewal plus the lease duration.
        Assert.True(lease.Spec.AcquireTime < renewedBeforeStop + LeaderElectionReplica.LeaseDuration,
            $"acquired at {lease.Spec.AcquireTime:O}, the first's lease ran until at least {renewedBeforeStop + LeaderElectionReplica.LeaseDuration:O}");
        Assert.True(first.StoppedLeading);
        Assert.Equal(1, _leaders.Most);
    }

    [Fact]
    public async Task RunAsync_LeaderStopsRenewingWithoutRelease_OtherTakesOverAfterExpiry()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "election");
        await using var crashing = Replica(ns, "crashing", releaseOnCancel: false);
        await using var survivor = Replica(ns, "survivor");
        crashing.Start();
        await Eventually.HoldsAsync(() => crashing.Elector.IsLeader, Deadline, "the first replica leads");
        survivor.Start();
        await Eventually.HoldsAsync(() => survivor.Elector.Leader == crashing.Elector.Identity, Deadline, "the second replica sees the first lead");

        await crashing.StopAsync(); // stops renewing and leaves the lease as it was: a crash, as the others see it
        var abandoned = await LeaseAsync(ns);
        Assert.Equal(crashing.Elector.Identity, abandoned.Spec!.HolderIdentity);
        await Eventually.HoldsAsync(() => survivor.Elector.IsLeader, Deadline, "the second replica leads");

        var lease = await LeaseAsync(ns);
        Assert.Equal(survivor.Elector.Identity, lease.Spec!.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        Assert.True(lease.Spec.AcquireTime >= abandoned.Spec.RenewTime + LeaderElectionReplica.LeaseDuration,
            $"acquired at {lease.Spec.AcquireTime:O}, before the abandoned lease (renewed {abandoned.Spec.RenewTime:O}) expired");
        Assert.Equal(1, _leaders.Most);
    }

    private LeaderElectionReplica Replica(string ns, string name, bool releaseOnCancel = true) =>
        new(_client, ns, LeaseName, $"{name}_{Guid.NewGuid():N}"[..16], _leaders, releaseOnCancel);

    private Task<V1Lease> LeaseAsync(string ns) => _client.GetAsync<V1Lease>(ns, LeaseName);
}
