using k8s.Models;
using Lamina.Concurrency.V1;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Tests.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.ConcurrencyClient;

/// <summary>The gateway's stream to a fake concurrency controller on loopback, on a manual clock.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ConcurrencyConnectionTests
{
    private static readonly FunctionKey Hello = RouterHarness.Function;
    private static readonly FunctionKey Other = new("team-a", "other");

    /// <summary>The clock step while waiting for a reconnect: the first reconnect delay.</summary>
    private static readonly TimeSpan ReconnectStep = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task GatewayId_MadeOnce_NameThenRandomHex()
    {
        await using var harness = new ConnectionHarness(new Uri("http://127.0.0.1:1"));

        Assert.Matches("^.+_[0-9a-f]{8}$", harness.Connection.GatewayId);
    }

    [Fact]
    public async Task ExecuteAsync_FirstStream_HelloWithTheGatewayIdAndNothingHeldThenReady()
    {
        await using var gateway = await ConnectedGateway.StartAsync();
        var harness = gateway.Harness;

        var hello = await gateway.Stream.HelloAsync();
        Assert.Equal(harness.Connection.GatewayId, hello.GatewayId);
        Assert.Empty(hello.Held);
        Assert.Empty(hello.Pending);
        Assert.False(harness.Connection.Ready); // not before the controller has spoken
        gateway.Heartbeat();
        await ConnectionHarness.EventuallyAsync(() => harness.Connection.Ready && harness.Connection.Connected, "ready once the controller has spoken");
    }

    [Fact]
    public async Task ExecuteAsync_Reconnect_HelloCarriesTheHeldLeasesAndThePendingTickets()
    {
        await using var gateway = await ConnectedGateway.StartAsync();
        var (controller, harness, first) = (gateway.Controller, gateway.Harness, gateway.Stream);
        await gateway.GrantIdleAsync(Other, "the grant makes an idle lease", "other-1");
        using var caller = new CancellationTokenSource();
        var waiting = harness.Routing.InvokeAsync(caller.Token);
        var ticket = Assert.Single((await first.ReceivedAsync(m => m.Acquires.Count > 0)).Acquires);
        Assert.Equal(("team-a", "hello"), (ticket.Function.Namespace, ticket.Function.Name));

        first.End();

        await harness.AdvanceUntilAsync(() => controller.Streams.Count == 2, ReconnectStep, "the gateway reconnects");
        var second = controller.Streams[1];
        var hello = await second.HelloAsync();
        Assert.Equal(harness.Connection.GatewayId, hello.GatewayId);
        Assert.Equal("lease-other-1", Assert.Single(hello.Held).LeaseId);
        var pending = Assert.Single(hello.Pending);
        Assert.Equal(ticket.Ticket, pending.Ticket);
        Assert.Equal("hello", pending.Function.Name);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await second.ReceivedAsync(m => m.Cancels.Contains(ticket.Ticket));
        Assert.DoesNotContain(second.Received, m => m.Acquires.Any(a => a.Ticket == ticket.Ticket)); // the Hello said it
    }

    [Fact]
    public async Task ExecuteAsync_Connected_DemandEveryIntervalThenZerosOnceForAFunctionWithNothingLeft()
    {
        await using var gateway = await ConnectedGateway.StartAsync();
        var (harness, stream) = (gateway.Harness, gateway.Stream);
        gateway.Heartbeat();
        await ConnectionHarness.EventuallyAsync(() => harness.Connection.Connected, "connected");
        var waiting = harness.Routing.InvokeAsync();
        var ticket = Assert.Single((await stream.ReceivedAsync(m => m.Acquires.Count > 0)).Acquires).Ticket;

        var before = stream.Received.Count;
        harness.Time.Advance(harness.Routing.ConcurrencyClientOptions.DemandInterval);

        var demand = Assert.Single((await stream.ReceivedAsync(m => m.Demand.Count > 0, before)).Demand);
        Assert.Equal(("team-a", "hello"), (demand.Function.Namespace, demand.Function.Name));
        Assert.Equal((0, 1), (demand.InFlight, demand.Waiting));
        stream.Send(new ControllerMessage
        {
            LeaseTtlMs = ConnectedGateway.LeaseTtlMs,
            Refusals = { new Refusal { Ticket = ticket, Reason = RefusalReason.ReservedLimitExceeded, Message = "reserved concurrency 0" } },
        });
        var throttled = Assert.IsType<RouteResult.Throttled>(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ThrottleReasons.ReservedConcurrency, throttled.Reason);

        before = stream.Received.Count;
        harness.Time.Advance(harness.Routing.ConcurrencyClientOptions.DemandInterval);
        var last = Assert.Single((await stream.ReceivedAsync(m => m.Demand.Count > 0, before)).Demand);
        Assert.Equal(("hello", 0, 0), (last.Function.Name, last.InFlight, last.Waiting));

        before = stream.Received.Count;
        harness.Time.Advance(harness.Routing.ConcurrencyClientOptions.DemandInterval);
        var heartbeat = await stream.ReceivedAsync(_ => true, before);
        Assert.Empty(heartbeat.Demand); // sent all the same: the gateway's heartbeat
    }

    [Fact]
    public async Task ExecuteAsync_StandbyRefusesTheStream_RediscoversTheLeaderAndConnects()
    {
        await using var standby = await FakeController.StartAsync(standby: true);
        await using var leader = await FakeController.StartAsync();
        await using var harness = new ConnectionHarness(address: null);
        harness.Kubernetes.Seed(LeaderDiscoveryTests.Lease($"lamina-operator-0_5f3a@{standby.Address}"));
        await harness.StartAsync();
        await ConnectionHarness.EventuallyAsync(() => standby.Refused >= 1, "the standby refuses the stream");
        Assert.False(harness.Connection.Ready);

        harness.Kubernetes.Mutate<V1Lease>(ConnectionHarness.LeaseNamespace, "lamina-operator", lease => lease.Spec.HolderIdentity = $"lamina-operator-1_9c2e@{leader.Address}");

        await harness.AdvanceUntilAsync(() => leader.Streams.Count == 1, ReconnectStep, "the gateway reads the Lease again and finds the leader");
        leader.Streams[0].Send(new ControllerMessage { LeaseTtlMs = 30_000 });
        await ConnectionHarness.EventuallyAsync(() => harness.Connection.Ready, "ready on the leader's stream");
    }

    [Fact]
    public async Task ExecuteAsync_NoLeaseYet_RetriesUntilALeaderIsAnnounced()
    {
        await using var leader = await FakeController.StartAsync();
        await using var harness = new ConnectionHarness(address: null);
        await harness.StartAsync();
        await ConnectionHarness.EventuallyAsync(() => harness.Kubernetes.Requests.Count >= 1, "the gateway reads the Lease");

        harness.Kubernetes.Seed(LeaderDiscoveryTests.Lease($"lamina-operator-1_9c2e@{leader.Address}"));

        await harness.AdvanceUntilAsync(() => leader.Streams.Count == 1, ReconnectStep, "the gateway finds the leader once announced");
    }

    [Fact]
    public async Task Tick_NoWordWithinTheLeaseTtl_LeasesDroppedAndNotReadyAndTicketsKept()
    {
        await using var controller = await FakeController.StartAsync();
        await using var harness = new ConnectionHarness(address: null, routing: o => o.QueueTimeout = TimeSpan.FromMinutes(5));
        harness.Kubernetes.Seed(LeaderDiscoveryTests.Lease($"lamina-operator-0_5f3a@{controller.Address}"));
        await harness.StartAsync();
        var stream = await controller.StreamAsync(0);
        stream.Send(new ControllerMessage
        {
            LeaseTtlMs = 10_000,
            Grants = { new Grant { Ticket = 999, Lease = RouterHarness.LeaseAt("127.0.0.1:1", "other-1", function: Other) } },
        });
        await ConnectionHarness.EventuallyAsync(() => harness.Routing.Router.Leases(Other) == 1, "the grant makes an idle lease");
        using var caller = new CancellationTokenSource();
        var waiting = harness.Routing.InvokeAsync(caller.Token);
        // The leader is gone and none has taken its place: every attempt finds no leader.
        harness.Kubernetes.Mutate<V1Lease>(ConnectionHarness.LeaseNamespace, "lamina-operator", lease => lease.Spec.HolderIdentity = "");
        stream.End();
        await ConnectionHarness.EventuallyAsync(() => !harness.Connection.Connected, "the stream ended");

        for (var second = 0; second < 10; second++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(harness.Connection.Ready); // warm invocations still flow on held leases
        Assert.Equal(1, harness.Routing.Router.Leases(Other));
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, harness.Routing.Router.Leases(Other));
        Assert.False(harness.Connection.Ready);
        Assert.Empty(harness.Routing.Router.HeldLeases());
        Assert.Single(harness.Routing.Router.PendingTickets());
        Assert.False(waiting.IsCompleted);

        harness.Kubernetes.Mutate<V1Lease>(ConnectionHarness.LeaseNamespace, "lamina-operator", lease => lease.Spec.HolderIdentity = $"lamina-operator-1_9c2e@{controller.Address}");
        await harness.AdvanceUntilAsync(() => controller.Streams.Count == 2, TimeSpan.FromSeconds(1), "the gateway reconnects");
        var hello = await controller.Streams[1].HelloAsync();
        Assert.Empty(hello.Held);
        Assert.Single(hello.Pending);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task Apply_ReclaimAndRevoke_AnsweredWithTheLeasesGivenBack()
    {
        await using var gateway = await ConnectedGateway.StartAsync();
        var (harness, stream) = (gateway.Harness, gateway.Stream);
        await gateway.GrantIdleAsync(Other, "two idle leases", "other-1", "other-2");

        stream.Send(new ControllerMessage
        {
            LeaseTtlMs = ConnectedGateway.LeaseTtlMs,
            Reclaims = { new Reclaim { Round = 7, Function = Other.ToRef(), Count = 1 } },
            Revokes = { "lease-other-1" },
        });

        var answer = await stream.ReceivedAsync(m => m.Reclaimed.Count > 0);
        var reclaimed = Assert.Single(answer.Reclaimed);
        Assert.Equal(7UL, reclaimed.Round);
        Assert.Equal(["lease-other-2"], reclaimed.Released);
        Assert.Equal(0, reclaimed.Busy);
        await ConnectionHarness.EventuallyAsync(
            () => gateway.Releases.Order(StringComparer.Ordinal).SequenceEqual(["lease-other-1", "lease-other-2"]),
            "both leases given back");
        Assert.Equal(0, harness.Routing.Router.Leases(Other));
    }
}
