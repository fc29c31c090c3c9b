using Lamina.Concurrency.V1;

namespace Lamina.Operator.Tests.Concurrency;

/// <summary>Leadership and learning (<c>ConcurrencyState.Leadership.cs</c>).</summary>
public sealed partial class ConcurrencyStateTests
{
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
}
