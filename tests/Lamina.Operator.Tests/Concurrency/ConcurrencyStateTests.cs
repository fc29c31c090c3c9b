using Lamina.Concurrency.V1;
using Lamina.Operator.Concurrency;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Concurrency;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ConcurrencyStateTests
{
    private static readonly FunctionId F = new("default", "hello");
    private static readonly FunctionId G = new("default", "other");

    /// <summary>A leading state: environments added after this are not held back by learning.</summary>
    private static ConcurrencyHarness Leading()
    {
        var harness = new ConcurrencyHarness();
        harness.State.StartLeading();
        return harness;
    }

    private static void AssertNothingAnswered(ControllerMessage message)
    {
        Assert.Empty(message.Grants);
        Assert.Empty(message.Refusals);
    }

    private static Refusal AssertRefused(ControllerMessage message, ulong ticket, RefusalReason reason)
    {
        Assert.Empty(message.Grants);
        var refusal = Assert.Single(message.Refusals);
        Assert.Equal(ticket, refusal.Ticket);
        Assert.Equal(reason, refusal.Reason);
        return refusal;
    }

    private static Grant AssertGranted(ControllerMessage message, ulong ticket, string pod)
    {
        Assert.Empty(message.Refusals);
        var grant = Assert.Single(message.Grants);
        Assert.Equal(ticket, grant.Ticket);
        Assert.Equal(pod, grant.Lease.Pod);
        Assert.Equal(ConcurrencyHarness.AddressOf(pod), grant.Lease.Address);
        return grant;
    }

    // ------------------------------------------------------------------ warm grants and scale from zero

    [Fact]
    public void Acquire_FreeServingEnvironment_GrantsIt()
    {
        var harness = Leading();
        harness.Function(F);
        harness.Serve(F, "hello-fn-1");
        var gateway = harness.Connect("gw-a");

        var ticket = gateway.Acquire(F);

        var grant = AssertGranted(gateway.Take(), ticket, "hello-fn-1");
        Assert.Equal(ConcurrencyHarness.Ref(F), grant.Lease.Function);
        Assert.False(grant.Lease.Provisioned);
        Assert.False(string.IsNullOrEmpty(grant.Lease.LeaseId));
        Assert.Equal(1, harness.State.LeaseCount(F));
    }

    [Fact]
    public void Acquire_NoFreeEnvironment_WaitsAndPokesForOneMore()
    {
        var harness = Leading();
        harness.Function(F);
        harness.Serve(F, "hello-fn-1");
        var gateway = harness.Connect("gw-a");
        gateway.Acquire(F);
        gateway.Take();

        gateway.Acquire(F);

        AssertNothingAnswered(gateway.Take());
        Assert.Equal(2, harness.LastScale(F));
        Assert.Equal(1, harness.State.LeaseCount(F));
    }

    [Fact]
    public void Acquire_ScaleFromZero_PokesThenGrantsInTicketOrder()
    {
        var harness = Leading();
        harness.Function(F);
        var gateway = harness.Connect("gw-a");

        var tickets = gateway.Acquire(F, 3);

        AssertNothingAnswered(gateway.Take());
        Assert.Equal(3, harness.LastScale(F));
        for (var i = 0; i < 3; i++)
        {
            var pod = $"hello-fn-{i + 1}";
            harness.Serve(F, pod);
            AssertGranted(gateway.Take(), tickets[i], pod);
            Assert.Equal(i + 1, harness.State.LeaseCount(F));
        }
    }

    [Fact]
    public void Acquire_ProvisionedAndOnDemandServing_GrantsProvisionedFirst()
    {
        var harness = Leading();
        harness.Function(F, provisioned: 1);
        harness.Serve(F, "hello-fn-1"); // first in the state's order: the choice is not by order
        harness.Serve(F, "hello-pc-1", provisioned: true);
        var gateway = harness.Connect("gw-a");

        var first = gateway.Acquire(F);
        var provisioned = AssertGranted(gateway.Take(), first, "hello-pc-1");
        var second = gateway.Acquire(F);
        var onDemand = AssertGranted(gateway.Take(), second, "hello-fn-1");

        Assert.True(provisioned.Lease.Provisioned);
        Assert.False(onDemand.Lease.Provisioned);
    }

    // ------------------------------------------------------------------ refusals without a reclaim

    [Fact]
    public void Acquire_ReservedZero_RefusedAtOnce()
    {
        var harness = Leading();
        harness.Function(F, reserved: 0);
        harness.Serve(F, "hello-fn-1");
        var gateway = harness.Connect("gw-a");

        var ticket = gateway.Acquire(F);

        AssertRefused(gateway.Take(), ticket, RefusalReason.ReservedLimitExceeded);
        Assert.Equal(0, harness.State.LeaseCount(F));
        Assert.DoesNotContain(harness.ScaleCalls, call => call.Replicas > 0);
    }

    [Fact]
    public void Acquire_UnknownFunction_RefusedUnknownFunction()
    {
        var harness = Leading();
        var gateway = harness.Connect("gw-a");

        var ticket = gateway.Acquire(F);

        var refusal = AssertRefused(gateway.Take(), ticket, RefusalReason.UnknownFunction);
        Assert.Contains(F.ToString(), refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.ScaleCalls, call => call.Replicas > 0);
    }

    [Fact]
    public void Acquire_ReservationRefusedByPool_RefusedFunctionFailed()
    {
        const string Why = "reserved concurrency 950 would leave 50 of the pool of 1000 unreserved; at least 100 must stay unreserved";
        var harness = Leading();
        harness.Function(F, reserved: 950, refused: Why);
        harness.Serve(F, "hello-fn-1");
        var gateway = harness.Connect("gw-a");

        var ticket = gateway.Acquire(F);

        var refusal = AssertRefused(gateway.Take(), ticket, RefusalReason.FunctionFailed);
        Assert.Equal(Why, refusal.Message);
        Assert.Equal(0, harness.State.LeaseCount(F));
    }

    [Fact]
    public void RemoveFunction_PendingTicketAndLease_RefusedUnknownFunctionAndLeaseRevoked()
    {
        var harness = Leading();
        harness.Function(F);
        harness.Serve(F, "hello-fn-1");
        var gateway = harness.Connect("gw-a");
        gateway.Acquire(F);
        var lease = Assert.Single(gateway.Take().Grants).Lease;
        var waiting = gateway.Acquire(F);
        gateway.Take();

        harness.State.RemoveFunction(F);

        var message = gateway.Take();
        AssertRefused(message, waiting, RefusalReason.UnknownFunction);
        Assert.Equal([lease.LeaseId], message.Revokes);
    }

    // ------------------------------------------------------------------ the reserved cap and reclaim rounds

    /// <summary>Reserved 2, <paramref name="environments"/> serving, gateway A holding two leases and gateway B one ticket (A asked to reclaim).</summary>
    private static (ConcurrencyHarness Harness, FakeGateway A, FakeGateway B, Lease[] Held, ulong Waiting, Reclaim Reclaim) AtCapWithTicket(int environments)
    {
        var harness = Leading();
        harness.Function(F, reserved: 2);
        for (var i = 1; i <= environments; i++)
        {
            harness.Serve(F, $"hello-fn-{i}");
        }

        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F, 2);
        var grants = a.Take().Grants;
        Assert.Equal(2, grants.Count);
        Assert.Equal(2, harness.State.LeaseCount(F));
        var held = grants.Select(grant => grant.Lease).ToArray();
        Assert.NotEqual(held[0].Pod, held[1].Pod);

        var waiting = b.Acquire(F);

        AssertNothingAnswered(b.Take());
        Assert.Equal(2, harness.State.LeaseCount(F));
        var reclaim = Assert.Single(a.Take().Reclaims);
        Assert.Equal(ConcurrencyHarness.Ref(F), reclaim.Function);
        Assert.Equal(1, reclaim.Count);
        return (harness, a, b, held, waiting, reclaim);
    }

    [Fact]
    public void Receive_ReclaimAnsweredAllBusy_RefusesReservedLimitExceeded()
    {
        var (harness, a, b, _, waiting, reclaim) = AtCapWithTicket(environments: 3);

        a.AnswerReclaim(reclaim.Round, busy: 2);

        var refusal = AssertRefused(b.Take(), waiting, RefusalReason.ReservedLimitExceeded);
        Assert.Contains("(2)", refusal.Message, StringComparison.Ordinal);
        Assert.Empty(a.Take().Grants);
        Assert.Equal(2, harness.State.LeaseCount(F));
    }

    [Fact]
    public void Receive_ReclaimAnsweredWithIdleLease_GrantsThatEnvironmentToWaitingTicket()
    {
        // Two environments (what the autoscaler gives a function reserved at 2): the only one that can
        // come free is the one A gives back.
        var (harness, a, b, held, waiting, reclaim) = AtCapWithTicket(environments: 2);

        a.AnswerReclaim(reclaim.Round, busy: 1, held[1].LeaseId);

        var grant = AssertGranted(b.Take(), waiting, held[1].Pod);
        Assert.NotEqual(held[1].LeaseId, grant.Lease.LeaseId);
        Assert.Equal(2, harness.State.LeaseCount(F));
        Assert.Empty(a.Take().Grants);
    }

    [Fact]
    public void Tick_ReclaimNotAnsweredWithinTimeout_RefusesReservedLimitExceeded()
    {
        var (harness, _, b, _, waiting, _) = AtCapWithTicket(environments: 3);

        harness.AdvanceAndTick(harness.Options.ReclaimTimeout - TimeSpan.FromMilliseconds(1));
        AssertNothingAnswered(b.Take());

        harness.AdvanceAndTick(TimeSpan.FromMilliseconds(1));
        AssertRefused(b.Take(), waiting, RefusalReason.ReservedLimitExceeded);
        Assert.Equal(2, harness.State.LeaseCount(F));
    }

    [Fact]
    public void Receive_TwoTicketsInOneMessageAtCap_NotRefusedWhileHolderHasIdleLease()
    {
        // docs/concurrency.md: "a 429 means that every lease was busy at that moment". A holds two idle
        // leases and gives back as many as each reclaim asks for; B's two tickets arrive in one message
        // (so at one instant of the clock).
        var harness = Leading();
        harness.Function(F, reserved: 2);
        harness.Serve(F, "hello-fn-1");
        harness.Serve(F, "hello-fn-2");
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F, 2);
        var idle = new Queue<string>(a.Take().Grants.Select(grant => grant.Lease.LeaseId));

        var tickets = b.Acquire(F, 2);

        var granted = new List<ulong>();
        var refused = new List<Refusal>();
        for (var exchange = 0; exchange < 10; exchange++)
        {
            var toB = b.Take();
            granted.AddRange(toB.Grants.Select(grant => grant.Ticket));
            refused.AddRange(toB.Refusals);
            foreach (var reclaim in toB.Reclaims)
            {
                b.AnswerReclaim(reclaim.Round, busy: granted.Count); // B's leases run its invocations
            }

            var reclaims = a.Take().Reclaims;
            if (reclaims.Count == 0 && toB.Reclaims.Count == 0)
            {
                break;
            }

            foreach (var reclaim in reclaims)
            {
                var give = new List<string>();
                while (give.Count < reclaim.Count && idle.Count > 0)
                {
                    give.Add(idle.Dequeue());
                }

                a.AnswerReclaim(reclaim.Round, busy: 0, [.. give]);
            }
        }

        Assert.Empty(refused);
        Assert.Equal(tickets, granted.Order());
        Assert.Equal(2, harness.State.LeaseCount(F));
    }

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

    // ------------------------------------------------------------------ leadership and learning

    [Fact]
    public void Connect_NotLeading_ReturnsNull()
    {
        var harness = new ConcurrencyHarness();

        Assert.Null(harness.State.Connect(new Hello { GatewayId = "gw-a" }));
        Assert.False(harness.State.Leading);
    }

    [Fact]
    public void StopLeading_ConnectedGateway_MessagesIgnoredAndNoScaleView()
    {
        var harness = Leading();
        harness.Function(F);
        harness.Serve(F, "hello-fn-1");
        var a = harness.Connect("gw-a");
        harness.Tick();
        Assert.NotNull(harness.State.Scale(F));

        harness.State.StopLeading();
        a.Acquire(F);

        Assert.False(a.Session.Connected);
        AssertNothingAnswered(a.Take());
        Assert.Equal(0, harness.State.LeaseCount(F));
        Assert.Null(harness.State.Scale(F));
    }

    /// <summary>Reserved <paramref name="reserved"/>; hello-fn-1 and hello-fn-2 served before this replica led.</summary>
    private static ConcurrencyHarness NewLeaderWithServingEnvironments(int reserved)
    {
        var harness = new ConcurrencyHarness();
        harness.Function(F, reserved: reserved);
        harness.Serve(F, "hello-fn-1");
        harness.Serve(F, "hello-fn-2");
        harness.State.StartLeading();
        Assert.True(harness.State.Learning);
        return harness;
    }

    private static Lease EarlierLeaderLease(string pod) => new()
    {
        LeaseId = "earlier-" + pod,
        Function = ConcurrencyHarness.Ref(F),
        Pod = pod,
        Address = ConcurrencyHarness.AddressOf(pod),
    };

    [Fact]
    public void StartLeading_GatewayAnnouncesLease_AdoptedAndKnownEnvironmentNotGrantedWhileLearning()
    {
        var harness = NewLeaderWithServingEnvironments(reserved: 2);
        var a = harness.Connect("gw-a", held: [EarlierLeaderLease("hello-fn-1")]);

        Assert.Equal(1, harness.State.LeaseCount(F));
        Assert.Empty(a.Take().Revokes);

        // hello-fn-2 may be leased to a gateway that has not said hello yet.
        var b = harness.Connect("gw-b");
        var ticket = b.Acquire(F);
        AssertNothingAnswered(b.Take());
        foreach (var reclaim in a.Take().Reclaims)
        {
            a.AnswerReclaim(reclaim.Round, busy: 1);
        }

        // Learning waits rather than throttles against leases it cannot see.
        AssertNothingAnswered(b.Take());
        harness.AdvanceAndTick(harness.Options.LeaseTtl - TimeSpan.FromSeconds(1));
        AssertNothingAnswered(b.Take());

        harness.AdvanceAndTick(TimeSpan.FromSeconds(1));

        Assert.False(harness.State.Learning);
        AssertGranted(b.Take(), ticket, "hello-fn-2");
        Assert.Equal(2, harness.State.LeaseCount(F));
    }

    [Fact]
    public void StartLeading_EnvironmentReadyAfterLeadingWithinCap_GrantedWhileLearning()
    {
        var harness = NewLeaderWithServingEnvironments(reserved: 3);
        harness.Serve(F, "hello-fn-3");
        var b = harness.Connect("gw-b");

        var ticket = b.Acquire(F);

        Assert.True(harness.State.Learning);
        AssertGranted(b.Take(), ticket, "hello-fn-3");
    }

    [Fact]
    public void StartLeading_EarlierEnvironmentsFillCap_NewEnvironmentNotGrantedWhileLearning()
    {
        var harness = NewLeaderWithServingEnvironments(reserved: 2);
        harness.Serve(F, "hello-fn-3");
        var b = harness.Connect("gw-b");

        var ticket = b.Acquire(F);

        AssertNothingAnswered(b.Take());
        Assert.Equal(0, harness.State.LeaseCount(F));
        harness.AdvanceAndTick(harness.Options.LeaseTtl);
        Assert.Equal(ticket, Assert.Single(b.Take().Grants).Ticket);
    }

    [Fact]
    public void Connect_HelloWithPendingTicket_AnsweredAsNew()
    {
        var harness = NewLeaderWithServingEnvironments(reserved: 3);
        harness.Serve(F, "hello-fn-3");

        var a = harness.Connect("gw-a", pending: [ConcurrencyHarness.Ticket(F, 42)]);

        AssertGranted(a.Take(), 42, "hello-fn-3");
    }

    [Fact]
    public void Connect_LeaseOnEnvironmentNoLongerServing_AdoptedButRevoked()
    {
        var harness = new ConcurrencyHarness();
        harness.Function(F, reserved: 2);
        harness.SetEnvironment(F, "hello-fn-1", serving: false, terminating: true);
        harness.State.StartLeading();

        var a = harness.Connect("gw-a", held: [EarlierLeaderLease("hello-fn-1")]);

        Assert.Equal(["earlier-hello-fn-1"], a.Take().Revokes);
        Assert.Equal(1, harness.State.LeaseCount(F)); // its invocation may still run
    }

    // ------------------------------------------------------------------ failures

    [Fact]
    public void SetFailure_NoServingEnvironment_RefusesWaitingTicketFunctionFailed()
    {
        const string Failure = "ErrImageNeverPull: Container image \"hello:dev\" is not present with pull policy of Never";
        var harness = Leading();
        harness.Function(F);
        var a = harness.Connect("gw-a");
        var ticket = a.Acquire(F);
        AssertNothingAnswered(a.Take());

        harness.State.SetFailure(F, Failure);

        var refusal = AssertRefused(a.Take(), ticket, RefusalReason.FunctionFailed);
        Assert.Contains(Failure, refusal.Message, StringComparison.Ordinal);

        var next = a.Acquire(F);
        AssertRefused(a.Take(), next, RefusalReason.FunctionFailed);
    }

    [Fact]
    public void SetFailure_ServingEnvironment_DoesNotRefuse()
    {
        var harness = Leading();
        harness.Function(F);
        harness.Serve(F, "hello-fn-1");
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F);
        var lease = Assert.Single(a.Take().Grants).Lease;
        var ticket = b.Acquire(F);
        AssertNothingAnswered(b.Take());

        harness.State.SetFailure(F, "CrashLoopBackOff: back-off 5m0s restarting failed container");

        AssertNothingAnswered(b.Take());
        a.Release(lease.LeaseId);
        AssertGranted(b.Take(), ticket, "hello-fn-1");
    }

    // ------------------------------------------------------------------ the autoscaler

    [Fact]
    public void Tick_GatewayDemand_ScalesToDemandAndReportsStatus()
    {
        var harness = Leading();
        harness.Function(F, provisioned: 1, idleAfter: TimeSpan.FromSeconds(10));
        harness.Serve(F, "hello-pc-1", provisioned: true);
        harness.Serve(F, "hello-fn-1");
        harness.Serve(F, "hello-fn-2");
        harness.SetEnvironment(F, "hello-fn-3", serving: false, terminating: false);
        var a = harness.Connect("gw-a");
        Assert.Null(harness.State.Scale(F)); // nothing decided yet

        a.ReportDemand(F, inFlight: 2, waiting: 3, started: 5);
        harness.Tick();

        Assert.Equal(4, harness.LastScale(F)); // 5 environments, one of them provisioned
        Assert.Contains(F, harness.StatusChanges);
        var scale = harness.State.Scale(F);
        Assert.NotNull(scale);
        Assert.Equal(5, scale.Desired);
        Assert.Equal(4, scale.OnDemandReplicas);
        Assert.Equal(3, scale.Ready);
        Assert.Equal(2, scale.Busy);
        Assert.Equal(1, scale.ProvisionedReady);
        Assert.NotNull(scale.LastScale);
        Assert.Equal(0, scale.LastScale.From);
        Assert.Equal(5, scale.LastScale.To);
        Assert.Equal((F, scale.LastScale), harness.Decisions[^1]);
    }

    [Fact]
    public void Tick_GatewayReportsAgainThenItsStreamEnds_ProvisionedBusyIsItsLatestReportThenNothing()
    {
        var harness = Leading();
        harness.Function(F, provisioned: 2);
        harness.Serve(F, "hello-pc-1", provisioned: true);
        harness.Serve(F, "hello-pc-2", provisioned: true);
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F);
        b.Acquire(F);

        a.ReportDemand(F, inFlight: 1, waiting: 0, started: 1, provisionedInFlight: 1);
        b.ReportDemand(F, inFlight: 1, waiting: 0, started: 1, provisionedInFlight: 1);
        harness.Tick();
        Assert.Equal((2, 2), Running(harness));

        a.ReportDemand(F, inFlight: 0, waiting: 0, started: 0, provisionedInFlight: 0); // replaces, not adds
        harness.Tick();
        Assert.Equal((1, 1), Running(harness));

        b.Disconnect(); // its lease waits out the TTL, but nothing runs on it for this count
        harness.Tick();
        Assert.Equal((0, 0), Running(harness));
        Assert.Equal(2, harness.State.LeaseCount(F));

        static (int Busy, int ProvisionedBusy) Running(ConcurrencyHarness harness)
        {
            var gauges = Assert.Single(harness.State.Gauges());
            return (gauges.Busy, gauges.ProvisionedBusy);
        }
    }

    [Fact]
    public void Tick_IdleForIdleAfter_ScalesToProvisionedFloor()
    {
        var idleAfter = TimeSpan.FromSeconds(10);
        var harness = Leading();
        harness.Function(F, provisioned: 1, idleAfter: idleAfter);
        harness.Serve(F, "hello-pc-1", provisioned: true);
        harness.Serve(F, "hello-fn-1");
        var a = harness.Connect("gw-a");
        a.ReportDemand(F, inFlight: 6, waiting: 0, started: 6);
        harness.Tick();
        Assert.Equal(5, harness.LastScale(F));

        a.ReportDemand(F, inFlight: 0, waiting: 0, started: 0);
        harness.AdvanceAndTick(idleAfter - TimeSpan.FromSeconds(1));
        Assert.NotEqual(0, harness.LastScale(F)); // not idle yet: the averages still ask for on-demand environments
        harness.AdvanceAndTick(TimeSpan.FromSeconds(1));

        Assert.Equal(0, harness.LastScale(F));
        var scale = harness.State.Scale(F);
        Assert.NotNull(scale);
        Assert.Equal(1, scale.Desired);
        Assert.Equal(0, scale.OnDemandReplicas);
        Assert.Equal(0, scale.Busy);
        Assert.Contains("idle", scale.LastScale?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Tick_DemandAboveReserved_ScaleCappedAtReserved()
    {
        var harness = Leading();
        harness.Function(F, reserved: 3);
        var a = harness.Connect("gw-a");

        a.ReportDemand(F, inFlight: 0, waiting: 10, started: 0);
        harness.Tick();

        Assert.Equal(3, harness.LastScale(F));
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

    // ------------------------------------------------------------------ random sequences

    [Fact]
    public void Receive_RandomSequences_NeverAboveReservedAndNeverTwoLeasesOnOneEnvironment()
    {
        for (var seed = 1; seed <= 300; seed++)
        {
            RandomSequence.Run(seed, steps: 400, reconnects: false);
        }
    }

    [Fact]
    public void Receive_RandomSequencesWithReconnects_NeverAboveReservedAndNeverTwoLeasesOnOneEnvironment()
    {
        for (var seed = 1; seed <= 300; seed++)
        {
            RandomSequence.Run(seed, steps: 400, reconnects: true);
        }
    }

    /// <summary>
    /// Three gateways against reserved 3 and six environments: acquires, releases, reclaim answers,
    /// cancels, environment changes and ticks (and, with reconnects, streams that end and come back,
    /// disconnect first) in a seeded order. After every step: at most 3 leases, as many as the
    /// controller should still count, each grant on a serving environment no gateway holds a usable
    /// lease on, and each ticket answered once.
    /// </summary>
    private sealed class RandomSequence
    {
        private const int Reserved = 3;
        private readonly ConcurrencyHarness _harness;
        private readonly Random _random;
        private readonly int _seed;
        private readonly bool _reconnects;
        private readonly ModelEnvironment[] _environments = new ModelEnvironment[6];
        private readonly ModelGateway[] _gateways = new ModelGateway[3];
        private int _step;
        private string _operation = "setup";

        private RandomSequence(int seed, bool reconnects)
        {
            _seed = seed;
            _reconnects = reconnects;
            _random = new Random(seed);

            // Short TTLs so that gateways stay away long enough for their leases to expire.
            _harness = new ConcurrencyHarness(new ConcurrencyOptions { LeaseTtl = TimeSpan.FromSeconds(3), LeaseGrace = TimeSpan.FromSeconds(1) });
            _harness.State.StartLeading();
            _harness.Function(F, reserved: Reserved);
            for (var i = 0; i < _environments.Length; i++)
            {
                _environments[i] = new ModelEnvironment($"hello-fn-{i}");
                Apply(_environments[i]);
            }

            for (var i = 0; i < _gateways.Length; i++)
            {
                _gateways[i] = new ModelGateway($"gw-{i}", _harness.Connect($"gw-{i}"));
            }
        }

        private enum EnvironmentPhase
        {
            Serving,
            NotReady,
            Terminating,
            Gone,
        }

        private DateTimeOffset Now => _harness.Time.GetUtcNow();

        public static void Run(int seed, int steps, bool reconnects)
        {
            var sequence = new RandomSequence(seed, reconnects);
            sequence.Check();
            for (sequence._step = 1; sequence._step <= steps; sequence._step++)
            {
                sequence.Step();
                sequence.Check();
            }
        }

        private void Step()
        {
            var gateway = _gateways[_random.Next(_gateways.Length)];
            var roll = _random.Next(100);
            if (roll < 70 && !gateway.Connected)
            {
                if (_random.Next(10) == 0)
                {
                    Reconnect(gateway);
                }
                else
                {
                    _operation = $"{gateway.Name} stays away";
                }
            }
            else if (roll < 30)
            {
                var count = _random.Next(1, 3);
                _operation = $"{gateway.Name} acquires {count}";
                foreach (var ticket in gateway.Stream.Acquire(F, count))
                {
                    gateway.Pending.Add(ticket);
                }
            }
            else if (roll < 50)
            {
                if (gateway.Held.Count == 0)
                {
                    _operation = "nothing to release";
                    return;
                }

                // Revoked leases first when there are some: a gateway gives them back when their invocation ends.
                var candidates = gateway.Revoked.Count > 0 && _random.Next(2) == 0 ? gateway.Revoked.ToArray() : gateway.Held.Keys.ToArray();
                var lease = candidates[_random.Next(candidates.Length)];
                _operation = $"{gateway.Name} releases {lease}";
                gateway.Forget(lease);
                gateway.Stream.Release(lease);
            }
            else if (roll < 65)
            {
                _operation = $"{gateway.Name} answers {gateway.Reclaims.Count} reclaims";
                foreach (var reclaim in gateway.Reclaims)
                {
                    var idle = gateway.Held.Keys.Where(id => !gateway.Revoked.Contains(id)).OrderBy(_ => _random.Next()).ToList();
                    var give = _random.Next(Math.Min(reclaim.Count, idle.Count) + 1);
                    var released = idle.Take(give).ToArray();
                    foreach (var lease in released)
                    {
                        gateway.Forget(lease);
                    }

                    gateway.Stream.AnswerReclaim(reclaim.Round, gateway.Held.Count, released);
                }

                gateway.Reclaims.Clear();
            }
            else if (roll < 70)
            {
                if (gateway.Pending.Count == 0)
                {
                    _operation = "nothing to cancel";
                    return;
                }

                var ticket = gateway.Pending.ElementAt(_random.Next(gateway.Pending.Count));
                _operation = $"{gateway.Name} cancels {ticket}";
                gateway.Pending.Remove(ticket);
                gateway.Stream.Cancel(ticket);
            }
            else if (roll < 84)
            {
                ChangeEnvironment();
            }
            else if (roll < 97 || !_reconnects)
            {
                var by = TimeSpan.FromMilliseconds(_random.Next(0, 1500));
                _operation = $"advance {by.TotalMilliseconds} ms and tick";
                _harness.AdvanceAndTick(by);
                foreach (var away in _gateways)
                {
                    if (!away.Connected && Now >= away.DisconnectedAt + _harness.Options.LeaseTtl + _harness.Options.LeaseGrace)
                    {
                        away.CountedWhileAway = 0; // the controller let its leases go
                    }
                }
            }
            else if (gateway.Connected)
            {
                _operation = $"{gateway.Name}'s stream ends";
                gateway.Connected = false;
                gateway.DisconnectedAt = Now;
                gateway.CountedWhileAway = gateway.Held.Count;
                gateway.Reclaims.Clear();
                gateway.Stream.Disconnect();
            }
            else
            {
                _operation = $"{gateway.Name} stays away";
            }
        }

        private void Reconnect(ModelGateway gateway)
        {
            // The gateway stopped using its leases LeaseTtl after the last message it received.
            var dropped = Now >= gateway.DisconnectedAt + _harness.Options.LeaseTtl;
            if (dropped)
            {
                gateway.Held.Clear();
                gateway.Revoked.Clear();
            }

            _operation = $"{gateway.Name} reconnects holding {gateway.Held.Count} and waiting for {gateway.Pending.Count}";
            gateway.Connected = true;
            gateway.Stream = _harness.Connect(
                gateway.Name,
                held: gateway.Held.Values.Select(held => held.Lease),
                pending: gateway.Pending.Select(ticket => ConcurrencyHarness.Ticket(F, ticket)),
                firstTicket: gateway.Stream.NextTicket);
        }

        private void ChangeEnvironment()
        {
            var environment = _environments[_random.Next(_environments.Length)];
            var before = environment.Phase;
            environment.Phase = environment.Phase switch
            {
                EnvironmentPhase.Serving => Pick(EnvironmentPhase.NotReady, EnvironmentPhase.Terminating, EnvironmentPhase.Gone),
                EnvironmentPhase.NotReady => Pick(EnvironmentPhase.Serving, EnvironmentPhase.Terminating, EnvironmentPhase.Gone),
                EnvironmentPhase.Terminating => EnvironmentPhase.Gone,
                _ => Pick(EnvironmentPhase.Serving, EnvironmentPhase.NotReady),
            };
            if (before == EnvironmentPhase.Gone)
            {
                environment.Generation++; // a new pod under the same name
            }

            _operation = $"{environment.Pod} {before} -> {environment.Phase} (uid {environment.Uid})";
            Apply(environment);
        }

        private EnvironmentPhase Pick(params EnvironmentPhase[] phases) => phases[_random.Next(phases.Length)];

        private void Apply(ModelEnvironment environment)
        {
            if (environment.Phase == EnvironmentPhase.Gone)
            {
                _harness.State.RemoveEnvironment(F, environment.Pod);
                return;
            }

            _harness.SetEnvironment(F, environment.Pod, environment.Phase == EnvironmentPhase.Serving,
                environment.Phase == EnvironmentPhase.Terminating, uid: environment.Uid);
        }

        private void Check()
        {
            var where = $"seed {_seed}, step {_step} ({_operation})";
            foreach (var gateway in _gateways)
            {
                if (!gateway.Connected && Now >= gateway.DisconnectedAt + _harness.Options.LeaseTtl)
                {
                    gateway.Held.Clear(); // no longer used by the gateway; the controller may still count them
                    gateway.Revoked.Clear();
                }
            }

            foreach (var gateway in _gateways)
            {
                var message = gateway.Stream.Take();
                if (!gateway.Connected)
                {
                    // Nothing written to a stream that has ended reaches the gateway.
                    Assert.True(message.Grants.Count == 0, $"{where}: {message.Grants.Count} grants to {gateway.Name}'s ended stream");
                    continue;
                }

                foreach (var grant in message.Grants)
                {
                    Assert.True(gateway.Pending.Remove(grant.Ticket), $"{where}: {gateway.Name} granted ticket {grant.Ticket}, which is not waiting");
                    var environment = _environments.Single(e => e.Pod == grant.Lease.Pod);
                    Assert.True(environment.Phase == EnvironmentPhase.Serving, $"{where}: {grant.Lease.LeaseId} granted on {grant.Lease.Pod}, which is {environment.Phase}");
                    var holder = _gateways.FirstOrDefault(g => g.Held.Values.Any(held => held.Lease.Pod == environment.Pod && held.Uid == environment.Uid));
                    Assert.True(holder is null, $"{where}: {grant.Lease.LeaseId} granted on {environment.Pod} ({environment.Uid}), which {holder?.Name} holds");
                    gateway.Held.Add(grant.Lease.LeaseId, new HeldLease(grant.Lease, environment.Uid));
                }

                foreach (var refusal in message.Refusals)
                {
                    Assert.True(gateway.Pending.Remove(refusal.Ticket), $"{where}: {gateway.Name} refused ticket {refusal.Ticket}, which is not waiting");
                    Assert.Equal(RefusalReason.ReservedLimitExceeded, refusal.Reason);
                }

                foreach (var revoke in message.Revokes)
                {
                    if (gateway.Held.ContainsKey(revoke))
                    {
                        gateway.Revoked.Add(revoke);
                    }
                }

                gateway.Reclaims.AddRange(message.Reclaims);
            }

            var leases = _harness.State.LeaseCount(F);
            Assert.True(leases <= Reserved, $"{where}: {leases} leases, reserved {Reserved}");
            var counted = _gateways.Sum(g => g.Connected ? g.Held.Count : g.CountedWhileAway);
            Assert.True(leases == counted, $"{where}: the controller counts {leases} leases, it should count {counted}");
        }

        private sealed record HeldLease(Lease Lease, string Uid);

        private sealed class ModelEnvironment(string pod)
        {
            public string Pod { get; } = pod;

            public int Generation { get; set; }

            public string Uid => $"{Pod}-uid-{Generation}";

            public EnvironmentPhase Phase { get; set; } = EnvironmentPhase.Serving;
        }

        private sealed class ModelGateway(string name, FakeGateway stream)
        {
            public string Name { get; } = name;

            public FakeGateway Stream { get; set; } = stream;

            public bool Connected { get; set; } = true;

            public DateTimeOffset DisconnectedAt { get; set; }

            /// <summary>While away: the leases the controller still counts for it (until they expire or it comes back).</summary>
            public int CountedWhileAway { get; set; }

            public HashSet<ulong> Pending { get; } = [];

            /// <summary>Leases the gateway may use, by id, each with the uid of the pod it was granted on.</summary>
            public Dictionary<string, HeldLease> Held { get; } = new(StringComparer.Ordinal);

            public HashSet<string> Revoked { get; } = new(StringComparer.Ordinal);

            public List<Reclaim> Reclaims { get; } = [];

            public void Forget(string lease)
            {
                Held.Remove(lease);
                Revoked.Remove(lease);
            }
        }
    }
}
