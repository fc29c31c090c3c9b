namespace Lamina.Operator.Tests.Concurrency;

/// <summary>Revokes when an environment stops taking invocations (<c>ConcurrencyState.Leases.cs</c>).</summary>
public sealed partial class ConcurrencyStateTests
{
    // ------------------------------------------------------------------ revokes

    [Fact]
    public void SetEnvironment_LeasedEnvironmentTerminating_RevokesAndStillCounts()
    {
        var harness = Leading();
        harness.Function(F, reserved: 1);
        harness.Serve(F, "hello-fn-1");
        harness.Serve(F, "hello-fn-2");
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F);
        var lease = Assert.Single(a.Take().Grants).Lease;
        var other = lease.Pod == "hello-fn-1" ? "hello-fn-2" : "hello-fn-1";

        harness.SetEnvironment(F, lease.Pod, serving: false, terminating: true);

        Assert.Equal([lease.LeaseId], a.Take().Revokes);
        Assert.Equal(1, harness.State.LeaseCount(F));

        // Its invocation may still run: the free environment is not granted beyond the cap.
        var ticket = b.Acquire(F);
        AssertNothingAnswered(b.Take());
        Assert.Equal(1, harness.State.LeaseCount(F));

        a.Release(lease.LeaseId);
        AssertGranted(b.Take(), ticket, other);
        Assert.Equal(1, harness.State.LeaseCount(F));
    }

    [Fact]
    public void SetEnvironment_LeasedEnvironmentLosesReadiness_Revokes()
    {
        var harness = Leading();
        harness.Function(F);
        harness.Serve(F, "hello-fn-1");
        var a = harness.Connect("gw-a");
        a.Acquire(F);
        var lease = Assert.Single(a.Take().Grants).Lease;

        harness.SetEnvironment(F, lease.Pod, serving: false, terminating: false);

        Assert.Equal([lease.LeaseId], a.Take().Revokes);
        Assert.Equal(1, harness.State.LeaseCount(F));
    }

    [Fact]
    public void RemoveEnvironment_Leased_RevokesAndStillCounts()
    {
        var harness = Leading();
        harness.Function(F, reserved: 1);
        harness.Serve(F, "hello-fn-1");
        harness.Serve(F, "hello-fn-2");
        var a = harness.Connect("gw-a");
        a.Acquire(F);
        var lease = Assert.Single(a.Take().Grants).Lease;

        harness.State.RemoveEnvironment(F, lease.Pod);

        Assert.Equal([lease.LeaseId], a.Take().Revokes);
        Assert.Equal(1, harness.State.LeaseCount(F));
    }

    [Fact]
    public void SetEnvironment_PodRecreatedUnderSameName_OldLeaseRevokedNewOneGrantable()
    {
        var harness = Leading();
        harness.Function(F, reserved: 2);
        harness.Serve(F, "hello-fn-1", uid: "uid-1");
        var a = harness.Connect("gw-a");
        a.Acquire(F);
        var old = Assert.Single(a.Take().Grants).Lease;

        harness.Serve(F, "hello-fn-1", uid: "uid-2");

        Assert.Equal([old.LeaseId], a.Take().Revokes);
        var ticket = a.Acquire(F);
        var grant = AssertGranted(a.Take(), ticket, "hello-fn-1");
        Assert.NotEqual(old.LeaseId, grant.Lease.LeaseId);
        Assert.Equal(2, harness.State.LeaseCount(F));
    }
}
