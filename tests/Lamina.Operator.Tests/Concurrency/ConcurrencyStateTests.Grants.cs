using Lamina.Concurrency.V1;

namespace Lamina.Operator.Tests.Concurrency;

/// <summary>Answering tickets: grants, refusals without a reclaim, the reserved cap and reclaim rounds (<c>ConcurrencyState.Grants.cs</c>).</summary>
public sealed partial class ConcurrencyStateTests
{
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
}
