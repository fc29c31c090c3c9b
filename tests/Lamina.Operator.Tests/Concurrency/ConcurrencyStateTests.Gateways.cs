using Lamina.Concurrency.V1;

namespace Lamina.Operator.Tests.Concurrency;

/// <summary>Gateway streams: disconnects, reconnects, the outbox and cancels (<c>ConcurrencyState.Gateways.cs</c>).</summary>
public sealed partial class ConcurrencyStateTests
{
    // ------------------------------------------------------------------ disconnects and reconnects

    [Fact]
    public void Tick_DisconnectedGatewayPastTtlAndGrace_LeaseFreedToWaitingTicket()
    {
        var harness = Leading();
        harness.Function(F);
        harness.Serve(F, "hello-fn-1");
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F);
        Assert.Single(a.Take().Grants);

        a.Disconnect();
        var ticket = b.Acquire(F);

        AssertNothingAnswered(b.Take());
        var kept = harness.Options.LeaseTtl + harness.Options.LeaseGrace;
        harness.AdvanceAndTick(kept - TimeSpan.FromSeconds(1));
        AssertNothingAnswered(b.Take());
        Assert.Equal(1, harness.State.LeaseCount(F));

        harness.AdvanceAndTick(TimeSpan.FromSeconds(1));

        AssertGranted(b.Take(), ticket, "hello-fn-1");
        Assert.Equal(1, harness.State.LeaseCount(F));
    }

    [Fact]
    public void Receive_StoppingGatewayReleasesThenDisconnects_LeaseFreedAtOnceNotAfterTheTtl()
    {
        // A stopping gateway (GatewayDrain) gives every lease back before its stream ends: the
        // reserved cap it held is free for another gateway at once, with no clock movement.
        var harness = Leading();
        harness.Function(F, reserved: 1);
        harness.Serve(F, "hello-fn-1");
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F);
        var lease = Assert.Single(a.Take().Grants).Lease;
        var ticket = b.Acquire(F);
        AssertNothingAnswered(b.Take());

        a.Release(lease.LeaseId);
        a.Disconnect();

        AssertGranted(b.Take(), ticket, "hello-fn-1");
        Assert.Equal(1, harness.State.LeaseCount(F));
    }

    [Fact]
    public void Acquire_ReservedCapHeldByDisconnectedGateway_RefusedUntilLeaseExpires()
    {
        var harness = Leading();
        harness.Function(F, reserved: 1);
        harness.Serve(F, "hello-fn-1");
        harness.Serve(F, "hello-fn-2");
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F);
        Assert.Single(a.Take().Grants);
        a.Disconnect();

        // A gone gateway cannot answer a reclaim: its lease counts as busy.
        var ticket = b.Acquire(F);

        AssertRefused(b.Take(), ticket, RefusalReason.ReservedLimitExceeded);
        Assert.Equal(1, harness.State.LeaseCount(F));

        harness.AdvanceAndTick(harness.Options.LeaseTtl + harness.Options.LeaseGrace);

        Assert.Equal(0, harness.State.LeaseCount(F));
        var again = b.Acquire(F);
        Assert.Equal(again, Assert.Single(b.Take().Grants).Ticket);
        Assert.Equal(1, harness.State.LeaseCount(F));
    }

    [Fact]
    public void Connect_SameGatewayListsLeaseBeforeExpiry_KeepsIt()
    {
        var harness = Leading();
        harness.Function(F, reserved: 1);
        harness.Serve(F, "hello-fn-1");
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F);
        var lease = Assert.Single(a.Take().Grants).Lease;
        a.Disconnect();
        harness.AdvanceAndTick(harness.Options.LeaseTtl);

        var again = harness.Connect("gw-a", held: [lease], firstTicket: 100);

        Assert.Empty(again.Take().Revokes);
        Assert.Equal(1, harness.State.LeaseCount(F));
        harness.AdvanceAndTick(harness.Options.LeaseGrace + TimeSpan.FromSeconds(10));
        Assert.Equal(1, harness.State.LeaseCount(F));

        // Not granted to anyone else while the reconnected gateway holds it...
        var ticket = b.Acquire(F);
        AssertNothingAnswered(b.Take());
        var reclaim = Assert.Single(again.Take().Reclaims);

        // ...and the new stream can give it back.
        again.AnswerReclaim(reclaim.Round, busy: 0, lease.LeaseId);
        AssertGranted(b.Take(), ticket, "hello-fn-1");
        Assert.Equal(1, harness.State.LeaseCount(F));
    }

    [Fact]
    public void Connect_SameGatewayDoesNotListLease_FreesIt()
    {
        var harness = Leading();
        harness.Function(F, reserved: 1);
        harness.Serve(F, "hello-fn-1");
        var a = harness.Connect("gw-a");
        a.Acquire(F);
        Assert.Single(a.Take().Grants);
        a.Disconnect();

        var again = harness.Connect("gw-a", firstTicket: 100);

        Assert.Equal(0, harness.State.LeaseCount(F));
        var ticket = again.Acquire(F);
        AssertGranted(again.Take(), ticket, "hello-fn-1");
    }

    [Fact]
    public void Connect_ListsLeaseRevokedWhileDisconnected_RevokesItOnNewStream()
    {
        // The pod started terminating while the gateway's stream was down: the revoke could not be
        // sent then. The gateway comes back within the TTL and announces the lease; docs/concurrency.md
        // says the controller revokes the lease of a terminating pod, so the new stream must carry it.
        var harness = Leading();
        harness.Function(F);
        harness.Serve(F, "hello-fn-1");
        var a = harness.Connect("gw-a");
        a.Acquire(F);
        var lease = Assert.Single(a.Take().Grants).Lease;
        a.Disconnect();
        harness.SetEnvironment(F, "hello-fn-1", serving: false, terminating: true);

        var again = harness.Connect("gw-a", held: [lease], firstTicket: 100);

        Assert.Contains(lease.LeaseId, again.Take().Revokes);
    }

    [Fact]
    public void Connect_SameGatewayBeforeOldStreamEnded_PendingTicketGrantedOnNewStream()
    {
        // A gateway reconnects before the controller has seen its old stream end (the service handles
        // this: "this session was replaced"). Its Hello sends its waiting ticket again; the environment
        // that comes up must reach the new stream, since the old one's outbox is never written.
        var harness = Leading();
        harness.Function(F);
        var old = harness.Connect("gw-a");
        var ticket = old.Acquire(F);
        AssertNothingAnswered(old.Take());

        var again = harness.Connect("gw-a", pending: [ConcurrencyHarness.Ticket(F, ticket)], firstTicket: ticket + 1);
        harness.Serve(F, "hello-fn-1");

        AssertGranted(again.Take(), ticket, "hello-fn-1");
    }

    [Fact]
    public void Tick_SessionReplacedBeforeOldStreamEnded_NoLeaseLeaksPastTtl()
    {
        // Same race, reserved 1: whatever the old session was given must come back within LeaseTtl +
        // LeaseGrace of its stream ending, or the function is throttled for as long as this leader lives.
        var harness = Leading();
        harness.Function(F, reserved: 1);
        var old = harness.Connect("gw-a");
        var ticket = old.Acquire(F);
        var again = harness.Connect("gw-a", pending: [ConcurrencyHarness.Ticket(F, ticket)], firstTicket: ticket + 1);
        harness.Serve(F, "hello-fn-1");
        foreach (var grant in again.Take().Grants)
        {
            again.Release(grant.Lease.LeaseId); // the reconnected gateway is done with whatever it got
        }

        old.Disconnect(); // the old stream's end reaches the service at last
        harness.AdvanceAndTick(harness.Options.LeaseTtl + harness.Options.LeaseGrace + TimeSpan.FromSeconds(1));

        Assert.Equal(0, harness.State.LeaseCount(F));
        var c = harness.Connect("gw-c");
        var fresh = c.Acquire(F);
        AssertGranted(c.Take(), fresh, "hello-fn-1");
    }

    [Fact]
    public void Disconnect_WaitingTicket_DroppedNotGranted()
    {
        var harness = Leading();
        harness.Function(F);
        var a = harness.Connect("gw-a");
        a.Acquire(F);
        a.Disconnect();

        harness.Serve(F, "hello-fn-1");

        Assert.Empty(a.Take().Grants);
        Assert.Equal(0, harness.State.LeaseCount(F));
    }

    [Fact]
    public void TakeOutbox_NothingToSay_HeartbeatCarriesLeaseTtl()
    {
        var harness = Leading();
        var a = harness.Connect("gw-a");

        var message = a.Take();

        Assert.Equal((int)harness.Options.LeaseTtl.TotalMilliseconds, message.LeaseTtlMs);
        Assert.False(a.Session.HasOutbox);
    }

    // ------------------------------------------------------------------ cancels

    [Fact]
    public void Receive_CancelledTicket_NotGrantedLater()
    {
        var harness = Leading();
        harness.Function(F);
        var a = harness.Connect("gw-a");
        var cancelled = a.Acquire(F);

        a.Cancel(cancelled);
        harness.Serve(F, "hello-fn-1");

        AssertNothingAnswered(a.Take());
        Assert.Equal(0, harness.State.LeaseCount(F));
        var b = harness.Connect("gw-b");
        var ticket = b.Acquire(F);
        AssertGranted(b.Take(), ticket, "hello-fn-1");
    }
}
