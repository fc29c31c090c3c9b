using Lamina.Concurrency.V1;

namespace Lamina.Operator.Tests.Concurrency;

/// <summary>The unreserved pool (<c>ConcurrencyState.Pool.cs</c>).</summary>
public sealed partial class ConcurrencyStateTests
{
    // ------------------------------------------------------------------ the unreserved pool

    [Fact]
    public void Acquire_PoolHeldByOtherFunction_RefusedPoolLimitExceededAtOnce()
    {
        var harness = Leading();
        harness.State.SetUnreservedCapacity(2);
        harness.Function(F);
        harness.Function(G);
        harness.Serve(F, "hello-fn-1");
        harness.Serve(F, "hello-fn-2");
        harness.Serve(G, "other-fn-1");
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F, 2);
        var held = a.Take().Grants;
        Assert.Equal(2, held.Count);

        // G holds no lease, so there is nobody to reclaim from: refused at once, not kept waiting.
        var ticket = b.Acquire(G);

        AssertRefused(b.Take(), ticket, RefusalReason.PoolLimitExceeded);
        Assert.Equal(2, harness.State.UnreservedLeases());
        Assert.Equal(0, harness.State.LeaseCount(G));

        a.Release(held[0].Lease.LeaseId);
        var again = b.Acquire(G);
        AssertGranted(b.Take(), again, "other-fn-1");
        Assert.Equal(2, harness.State.UnreservedLeases());
    }

    [Fact]
    public void Receive_PoolFullAndOwnLeasesBusy_RefusedPoolLimitExceededAfterReclaim()
    {
        var harness = Leading();
        harness.State.SetUnreservedCapacity(2);
        harness.Function(F);
        harness.Function(G);
        harness.Serve(F, "hello-fn-1");
        harness.Serve(G, "other-fn-1");
        harness.Serve(G, "other-fn-2");
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F);
        Assert.Single(a.Take().Grants);
        b.Acquire(G);
        Assert.Single(b.Take().Grants);

        var ticket = b.Acquire(G);

        var first = b.Take();
        AssertNothingAnswered(first);
        var reclaim = Assert.Single(first.Reclaims);
        Assert.Equal(ConcurrencyHarness.Ref(G), reclaim.Function);
        Assert.Equal(2, harness.State.UnreservedLeases());

        b.AnswerReclaim(reclaim.Round, busy: 1);

        AssertRefused(b.Take(), ticket, RefusalReason.PoolLimitExceeded);
        Assert.Equal(2, harness.State.UnreservedLeases());
    }
}
