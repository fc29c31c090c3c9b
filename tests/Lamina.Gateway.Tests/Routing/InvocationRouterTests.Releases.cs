using Lamina.Concurrency.V1;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>Revoke, reclaim and expiry, and what a Hello and a Demand report (<c>LeasedEnvironments.Releases.cs</c>).</summary>
public sealed partial class InvocationRouterTests
{
    [Fact]
    public async Task Revoke_IdleEnvironment_ReleasedAtOnceAndNeverLentAgain()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");

        harness.Router.Revoke("lease-hello-1");

        Assert.Equal(["lease-hello-1"], harness.Outbox.Released);
        Assert.Equal(0, harness.Router.Leases(Function));
        var next = harness.InvokeAsync();
        var ticket = Assert.Single(harness.Outbox.Outstanding);
        await harness.GrantShimAsync(ticket, "hello-2");
        Assert.IsType<RouteResult.Completed>(await next.WaitAsync(Soon));
        Assert.Empty(shim.Received);
    }

    [Fact]
    public async Task Revoke_EnvironmentInFlight_InvocationFinishesThenReleased()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");
        var release = new TaskCompletionSource();
        shim.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));
        var running = harness.InvokeAsync();
        await shim.ReceivedAsync(1);

        harness.Router.Revoke("lease-hello-1");

        Assert.Empty(harness.Outbox.Released);
        var next = harness.InvokeAsync();
        release.SetResult();
        Assert.IsType<RouteResult.Completed>(await running);
        Assert.Equal(["lease-hello-1"], harness.Outbox.Released);
        Assert.False(next.IsCompleted); // not handed the revoked environment
        await harness.GrantShimAsync(Assert.Single(harness.Outbox.Outstanding), "hello-2");
        Assert.IsType<RouteResult.Completed>(await next.WaitAsync(Soon));
        Assert.Single(shim.Received);
    }

    [Fact]
    public async Task Reclaim_IdleAndBusyLeases_ReleasesIdleOnesUpToTheCountAndSaysHowManyAreLeft()
    {
        await using var harness = new RouterHarness();
        var busy = await harness.AddIdleShimAsync("hello-1");
        await harness.AddIdleShimAsync("hello-2");
        await harness.AddIdleShimAsync("hello-3");
        var release = new TaskCompletionSource();
        busy.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));
        var running = harness.InvokeAsync();
        await busy.ReceivedAsync(1);

        var one = harness.Router.Reclaim(7, Function, 1);
        var rest = harness.Router.Reclaim(8, Function, 5);

        Assert.Equal(7UL, one.Round);
        Assert.Equal(["lease-hello-3"], one.Released); // the back of the idle list: least recently used
        Assert.Equal(2, one.Busy);
        Assert.Equal(8UL, rest.Round);
        Assert.Equal(["lease-hello-2"], rest.Released);
        Assert.Equal(1, rest.Busy);
        Assert.Equal(["lease-hello-3", "lease-hello-2"], harness.Outbox.Released);
        release.SetResult();
        Assert.IsType<RouteResult.Completed>(await running);
    }

    [Fact]
    public async Task Reclaim_FunctionWithoutLeases_NothingReleasedNoneBusy()
    {
        await using var harness = new RouterHarness();

        var answer = harness.Router.Reclaim(3, new FunctionKey("team-a", "other"), 2);

        Assert.Equal(3UL, answer.Round);
        Assert.Empty(answer.Released);
        Assert.Equal(0, answer.Busy);
    }

    [Fact]
    public async Task ExpireLeases_IdleInFlightAndWaiting_IdleReleasedInFlightFinishesWaiterKeepsItsTicket()
    {
        await using var harness = new RouterHarness();
        var running = await harness.AddIdleShimAsync("hello-1");
        var release = new TaskCompletionSource();
        running.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));
        var first = harness.InvokeAsync();
        await running.ReceivedAsync(1);
        var idle = await harness.AddIdleShimAsync("hello-2");

        harness.Router.ExpireLeases();

        Assert.Equal(["lease-hello-2"], harness.Outbox.Released);
        var waiting = harness.InvokeAsync();
        var ticket = Assert.Single(harness.Outbox.Outstanding);
        Assert.Empty(harness.Router.HeldLeases());
        Assert.Equal(ticket, Assert.Single(harness.Router.PendingTickets()).Ticket);
        release.SetResult();
        Assert.IsType<RouteResult.Completed>(await first);
        Assert.Equal(["lease-hello-2", "lease-hello-1"], harness.Outbox.Released);
        Assert.False(waiting.IsCompleted);
        await harness.GrantShimAsync(ticket, "hello-3");
        Assert.IsType<RouteResult.Completed>(await waiting.WaitAsync(Soon));
        Assert.Empty(idle.Received);
    }

    [Fact]
    public async Task HeldLeasesAndPendingTickets_LeasesAndWaiters_WhatAHelloCarries()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1", provisioned: true);
        var release = new TaskCompletionSource();
        shim.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));
        var running = harness.InvokeAsync();
        var waiting = harness.InvokeAsync();

        var held = Assert.Single(harness.Router.HeldLeases());
        var pending = Assert.Single(harness.Router.PendingTickets());

        Assert.Equal("lease-hello-1", held.LeaseId);
        Assert.True(held.Provisioned);
        Assert.Equal(1UL, pending.Ticket);
        Assert.Equal("team-a", pending.Function.Namespace);
        Assert.Equal("hello", pending.Function.Name);
        release.SetResult();
        await Task.WhenAll(running, waiting).WaitAsync(Soon);
    }

    [Fact]
    public async Task TakeDemand_InFlightAndWaiting_ReportedThenZerosOnceWhenTheFunctionHasNothingLeft()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");
        var release = new TaskCompletionSource();
        shim.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));
        var running = harness.InvokeAsync();
        var waiting = harness.InvokeAsync();

        var demand = Assert.Single(harness.Router.TakeDemand());

        Assert.Equal(("team-a", "hello"), (demand.Function.Namespace, demand.Function.Name));
        Assert.Equal(1, demand.InFlight);
        Assert.Equal(1, demand.Waiting);
        Assert.Equal(1, demand.Started);
        harness.Refuse(1, RefusalReason.ReservedLimitExceeded, "busy");
        Assert.IsType<RouteResult.Throttled>(await waiting.WaitAsync(Soon));
        release.SetResult();
        await running;
        harness.Router.Revoke("lease-hello-1");
        var last = Assert.Single(harness.Router.TakeDemand());
        Assert.Equal("hello", last.Function.Name);
        Assert.Equal((0, 0, 0L), (last.InFlight, last.Waiting, last.Started));
        Assert.Empty(harness.Router.TakeDemand());
    }

    /// <summary>
    /// One row: the leases in the order granted (<c>pc</c> provisioned, <c>fn</c> on demand), how many
    /// of them (the first ones: an invocation takes the first idle) run an invocation, and the in flight
    /// and provisioned in flight reported.
    /// </summary>
    public static TheoryData<string, string, int, int, int> ProvisionedRows => new()
    {
        { "two provisioned leases, one busy", "pc pc", 1, 1, 1 },
        { "two provisioned leases, both busy", "pc pc", 2, 2, 2 },
        { "two provisioned leases, both idle", "pc pc", 0, 0, 0 },
        { "on demand busy, provisioned idle", "fn pc", 1, 1, 0 },
        { "one of each busy", "pc fn", 2, 2, 1 },
    };

    [Theory]
    [MemberData(nameof(ProvisionedRows))]
    public async Task TakeDemand_ProvisionedAndOnDemandLeases_ProvisionedInFlightCountsBusyProvisionedOnly(
        string row, string leases, int busy, int inFlight, int provisionedInFlight)
    {
        await using var harness = new RouterHarness();
        var release = new TaskCompletionSource();
        var kinds = leases.Split(' ');
        for (var i = 0; i < kinds.Length; i++)
        {
            var shim = await harness.AddIdleShimAsync($"hello-{kinds[i]}-{i + 1}", provisioned: kinds[i] == "pc");
            shim.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));
        }

        var running = Enumerable.Range(0, busy).Select(_ => harness.InvokeAsync()).ToArray();

        var demand = Assert.Single(harness.Router.TakeDemand());
        Assert.True((demand.InFlight, demand.ProvisionedInFlight) == (inFlight, provisionedInFlight),
            $"{row}: in flight {demand.InFlight}, provisioned in flight {demand.ProvisionedInFlight}");
        release.SetResult();
        Assert.All(await Task.WhenAll(running).WaitAsync(Soon), result => Assert.IsType<RouteResult.Completed>(result));
        var after = Assert.Single(harness.Router.TakeDemand());
        Assert.True((after.InFlight, after.ProvisionedInFlight) == (0, 0), $"{row}: after the invocations ended, {after}");
    }
}
