using System.Text;
using Lamina.Concurrency.V1;
using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>The router fed leases by the test, against fake shims on real Kestrel servers, on a manual clock.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvocationRouterTests
{
    private static readonly FunctionKey Function = RouterHarness.Function;

    /// <summary>How long a test waits for something the router does on its own (an HTTP round trip, not a timer).</summary>
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    // ---------------------------------------------------------------- the warm path

    [Fact]
    public async Task InvokeAsync_IdleEnvironment_ShimContractSentAndCompletedAnswerReturned()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");
        shim.Script(new ShimReply.Completed("""{"answer":42}""", FunctionError: "Handled", LogResult: "U1RBUlQgLi4u"));
        var request = harness.Request("""{"question":"?"}""") with
        {
            ClientContext = "eyJjdXN0b20iOnt9fQ==",
            TraceId = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            LogTail = true,
        };

        var result = await harness.Router.InvokeAsync(Function, request, CancellationToken.None);

        var completed = Assert.IsType<RouteResult.Completed>(result);
        Assert.Equal("""{"answer":42}""", Encoding.UTF8.GetString(completed.Payload.Span));
        Assert.Equal("Handled", completed.FunctionError);
        Assert.Equal("U1RBUlQgLi4u", completed.LogResult);
        var received = Assert.Single(shim.Received);
        Assert.Equal("/lamina/v1/invoke", received.Path);
        Assert.Equal("""{"question":"?"}""", received.Body);
        Assert.Equal(request.RequestId, received.Header("Lamina-Request-Id"));
        Assert.Equal("eyJjdXN0b20iOnt9fQ==", received.Header("Lamina-Client-Context"));
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", received.Header("Lamina-Trace-Id"));
        Assert.Equal("Tail", received.Header("Lamina-Log-Type"));
        Assert.Equal("RequestResponse", received.Header("Lamina-Invocation-Type"));
        Assert.Equal("gateway-token", received.Header("Lamina-Token"));
    }

    [Fact]
    public async Task InvokeAsync_IdleEnvironment_NoTicketAskedAndTheLeaseKept()
    {
        await using var harness = new RouterHarness();
        await harness.AddIdleShimAsync("hello-1");

        Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());

        Assert.Empty(harness.Outbox.Acquired);
        Assert.Empty(harness.Outbox.Released);
        Assert.Equal(1, harness.Router.Leases(Function));
        Assert.Equal(1, harness.Router.IdleEnvironments(Function));
    }

    [Fact]
    public async Task InvokeAsync_PlainRequest_NoOptionalHeadersAndNoFunctionError()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");

        var completed = Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());

        Assert.Null(completed.FunctionError);
        Assert.Null(completed.LogResult);
        var received = Assert.Single(shim.Received);
        Assert.Null(received.Header("Lamina-Log-Type"));
        Assert.Null(received.Header("Lamina-Client-Context"));
        Assert.Null(received.Header("Lamina-Trace-Id"));
    }

    [Fact]
    public async Task InvokeAsync_OneAfterAnother_MostRecentlyUsedEnvironmentAgain()
    {
        await using var harness = new RouterHarness();
        var first = await harness.AddIdleShimAsync("hello-1");
        var second = await harness.AddIdleShimAsync("hello-2");

        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());
        }

        Assert.Equal(3, first.Received.Count);
        Assert.Empty(second.Received);
        Assert.Equal(2, harness.Router.IdleEnvironments(Function));
    }

    // ---------------------------------------------------------------- tickets and grants

    [Fact]
    public async Task InvokeAsync_NoLease_WaitsWithOneTicketAndRunsOnItsGrant()
    {
        await using var harness = new RouterHarness();

        var invocation = harness.InvokeAsync();

        var ticket = Assert.Single(harness.Outbox.Outstanding);
        Assert.Equal(Function, harness.Outbox.FunctionOf(ticket));
        Assert.Equal(1, harness.Router.QueueDepth(Function));
        var shim = await harness.GrantShimAsync(ticket, "hello-1");
        Assert.IsType<RouteResult.Completed>(await invocation.WaitAsync(Soon));
        Assert.Single(shim.Received);
        Assert.Empty(harness.Outbox.Cancelled);
        Assert.Equal(1, harness.Router.Leases(Function));
        Assert.Equal(1, harness.Router.IdleEnvironments(Function)); // kept for the next invocation
    }

    [Fact]
    public async Task Grant_AnotherWaitersTicket_HeadOfTheQueueServedAndTheOwnerInheritsItsTicket()
    {
        await using var harness = new RouterHarness();
        var first = harness.InvokeAsync();
        var second = harness.InvokeAsync();
        Assert.Equal([1UL, 2UL], harness.Outbox.Outstanding);
        var shim = await harness.StartShimAsync();
        var release = new TaskCompletionSource();
        shim.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));

        harness.Grant(2, RouterHarness.LeaseOn(shim, "hello-1"));

        await shim.ReceivedAsync(1);
        Assert.Equal("req-1", shim.Received[0].Header("Lamina-Request-Id")); // FIFO: the head runs
        Assert.Equal([1UL], harness.Outbox.Outstanding); // the second waiter now holds the first's ticket
        Assert.False(second.IsCompleted);
        var other = await harness.GrantShimAsync(1, "hello-2");
        Assert.IsType<RouteResult.Completed>(await second.WaitAsync(Soon));
        Assert.Equal("req-2", Assert.Single(other.Received).Header("Lamina-Request-Id"));
        release.SetResult();
        Assert.IsType<RouteResult.Completed>(await first.WaitAsync(Soon));
        Assert.Empty(harness.Outbox.Cancelled);
    }

    [Fact]
    public async Task Grant_ForADepartedWaiter_IdlesThenReleasedAfterIdleRelease()
    {
        await using var harness = new RouterHarness(controller: o => o.IdleRelease = TimeSpan.FromSeconds(2));
        using var caller = new CancellationTokenSource();
        var leaving = harness.InvokeAsync(caller.Token);
        var ticket = Assert.Single(harness.Outbox.Outstanding);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.Equal([ticket], harness.Outbox.Cancelled);
        var shim = await harness.StartShimAsync();

        harness.Router.Grant(ticket, RouterHarness.LeaseOn(shim, "hello-1")); // the grant crossed the cancel

        Assert.Equal(1, harness.Router.IdleEnvironments(Function));
        harness.Time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Empty(harness.Outbox.Released);
        harness.Time.Advance(TimeSpan.FromSeconds(0.6));
        Assert.Equal(["lease-hello-1"], harness.Outbox.Released);
        Assert.Equal(0, harness.Router.Leases(Function));
        Assert.Empty(shim.Received);
    }

    [Fact]
    public async Task ReleaseIdle_EnvironmentUsedAgain_CountsFromItsLastUse()
    {
        await using var harness = new RouterHarness(controller: o => o.IdleRelease = TimeSpan.FromSeconds(2));
        await harness.AddIdleShimAsync("hello-1");
        harness.Time.Advance(TimeSpan.FromSeconds(1.5));

        Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());

        harness.Time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Empty(harness.Outbox.Released);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["lease-hello-1"], harness.Outbox.Released);
    }

    [Fact]
    public async Task Grant_AddressThatIsNotOne_LeaseReleasedAndTheWaiterAsksAgain()
    {
        await using var harness = new RouterHarness();
        var invocation = harness.InvokeAsync();

        harness.Grant(1, RouterHarness.LeaseAt("no such/address", "hello-bad"));

        Assert.Equal(["lease-hello-bad"], harness.Outbox.Released);
        Assert.Equal([2UL], harness.Outbox.Outstanding);
        await harness.GrantShimAsync(2, "hello-1");
        Assert.IsType<RouteResult.Completed>(await invocation.WaitAsync(Soon));
    }

    // ---------------------------------------------------------------- refusals

    [Theory]
    [InlineData(RefusalReason.ReservedLimitExceeded, "ReservedFunctionConcurrentInvocationLimitExceeded")]
    [InlineData(RefusalReason.PoolLimitExceeded, "ConcurrentInvocationLimitExceeded")]
    public async Task Refuse_LimitInUse_ThrottledWithLambdasReason(RefusalReason reason, string expectedReason)
    {
        await using var harness = new RouterHarness();
        var invocation = harness.InvokeAsync();

        harness.Refuse(1, reason, "every environment the limit allows is busy");

        var throttled = Assert.IsType<RouteResult.Throttled>(await invocation.WaitAsync(Soon));
        Assert.Equal(expectedReason, throttled.Reason);
        Assert.Equal("every environment the limit allows is busy", throttled.Message);
        Assert.Equal(0, harness.Router.QueueDepth(Function));
        Assert.Empty(harness.Outbox.Cancelled); // answered already
    }

    [Theory]
    [InlineData(RefusalReason.FunctionFailed)]
    [InlineData(RefusalReason.UnknownFunction)]
    public async Task Refuse_FunctionCannotRun_FailedWithTheControllersMessage(RefusalReason reason)
    {
        await using var harness = new RouterHarness();
        var invocation = harness.InvokeAsync();

        harness.Refuse(1, reason, "function team-a.hello cannot start an environment: ErrImageNeverPull: image not present");

        var failed = Assert.IsType<RouteResult.Failed>(await invocation.WaitAsync(Soon));
        Assert.Equal("function team-a.hello cannot start an environment: ErrImageNeverPull: image not present", failed.Message);
    }

    [Fact]
    public async Task Refuse_SecondWaitersTicket_OnlyThatWaiterLeaves()
    {
        await using var harness = new RouterHarness();
        var first = harness.InvokeAsync();
        var second = harness.InvokeAsync();

        harness.Refuse(2, RefusalReason.ReservedLimitExceeded, "busy");

        Assert.IsType<RouteResult.Throttled>(await second.WaitAsync(Soon));
        Assert.False(first.IsCompleted);
        Assert.Equal(1, harness.Router.QueueDepth(Function));
        await harness.GrantShimAsync(1, "hello-1");
        Assert.IsType<RouteResult.Completed>(await first.WaitAsync(Soon));
    }

    // ---------------------------------------------------------------- revoke, reclaim, expiry

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

    // ---------------------------------------------------------------- what the shim answered

    [Fact]
    public async Task InvokeAsync_FirstEnvironmentBusy_RunsOnTheNextAtOnceAndKeepsTheLease()
    {
        await using var harness = new RouterHarness();
        var busy = await harness.AddIdleShimAsync("hello-1");
        busy.Script(new ShimReply.Busy());
        var free = await harness.AddIdleShimAsync("hello-2");

        var result = await harness.InvokeAsync();

        Assert.IsType<RouteResult.Completed>(result);
        Assert.Single(busy.Received);
        Assert.Equal(busy.Received[0].Header("Lamina-Request-Id"), Assert.Single(free.Received).Header("Lamina-Request-Id"));
        Assert.Equal(1, harness.Router.IdleEnvironments(Function)); // the busy one rests
        Assert.Empty(harness.Outbox.Released);
    }

    [Fact]
    public async Task InvokeAsync_FirstEnvironmentUnavailable_LeaseReleasedAndRunsOnTheNext()
    {
        await using var harness = new RouterHarness();
        var draining = await harness.AddIdleShimAsync("hello-1");
        draining.Script(new ShimReply.Unavailable());
        var free = await harness.AddIdleShimAsync("hello-2");

        Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());

        Assert.Single(draining.Received);
        Assert.Single(free.Received);
        Assert.Equal(["lease-hello-1"], harness.Outbox.Released);
        Assert.Equal(1, harness.Router.Leases(Function));
    }

    [Fact]
    public async Task InvokeAsync_FirstEnvironmentRefusesConnections_LeaseReleasedAndRunsOnTheNext()
    {
        await using var harness = new RouterHarness();
        harness.Router.Grant(RecordingOutbox.UnknownTicket, RouterHarness.LeaseAt($"127.0.0.1:{FreePort.Next()}", "hello-gone")); // nothing listens there
        var free = await harness.AddIdleShimAsync("hello-2");

        Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());

        Assert.Single(free.Received);
        Assert.Equal(["lease-hello-gone"], harness.Outbox.Released);
    }

    [Fact]
    public async Task InvokeAsync_OnlyEnvironmentUnavailable_ReleasedAndTheInvocationCompletesOnTheNextGrant()
    {
        await using var harness = new RouterHarness();
        var draining = await harness.AddIdleShimAsync("hello-1");
        draining.Script(new ShimReply.Unavailable());

        var invocation = harness.InvokeAsync();

        await Eventually.HoldsAsync(() => harness.Outbox.Outstanding.Count == 1, Soon, "the invocation asks for another environment");
        Assert.Equal(["lease-hello-1"], harness.Outbox.Released);
        Assert.False(invocation.IsCompleted);
        var next = await harness.GrantShimAsync(harness.Outbox.Outstanding[0], "hello-2");
        Assert.IsType<RouteResult.Completed>(await invocation.WaitAsync(Soon));
        Assert.Single(draining.Received);
        Assert.Single(next.Received);
    }

    [Fact]
    public async Task InvokeAsync_EveryEnvironmentBusyElsewhere_RestsWithoutPollingThenRetries()
    {
        await using var harness = new RouterHarness(o => o.RetryDelay = TimeSpan.FromMilliseconds(50));
        var shim = await harness.AddIdleShimAsync("hello-1");
        shim.Script(new ShimReply.Busy(), new ShimReply.Busy());

        var invocation = harness.InvokeAsync();
        await shim.ReceivedAsync(1);
        await Eventually.HoldsAsync(() => harness.Router.QueueDepth(Function) == 1, Soon, "the invocation waits while the environment rests");
        Assert.Single(shim.Received);
        Assert.Single(harness.Outbox.Outstanding); // and asks for an environment meanwhile

        harness.Time.Advance(TimeSpan.FromMilliseconds(50));
        await shim.ReceivedAsync(2);
        await Eventually.HoldsAsync(() => harness.Router.QueueDepth(Function) == 1, Soon, "busy again: it waits again");
        harness.Time.Advance(TimeSpan.FromMilliseconds(50)); // the second rest is twice as long
        Assert.Equal(2, shim.Received.Count);
        Assert.False(invocation.IsCompleted);

        harness.Time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.IsType<RouteResult.Completed>(await invocation);
        Assert.Equal(3, shim.Received.Count);
        Assert.Equal(0, shim.Overlaps);
        Assert.Empty(harness.Outbox.Outstanding); // served by the rested environment: its tickets cancelled
        Assert.Empty(harness.Outbox.Released);
    }

    [Fact]
    public async Task InvokeAsync_AllEnvironmentsInFlight_WaitsWithATicketAndGetsTheFirstFreed()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");
        var release = new TaskCompletionSource();
        shim.Script(new ShimReply.Held(release.Task, new ShimReply.Completed("\"first\"")), new ShimReply.Completed("\"second\""));

        var first = harness.InvokeAsync();
        var second = harness.InvokeAsync();

        Assert.Equal(1, harness.Router.QueueDepth(Function));
        Assert.Equal(1, harness.Router.ConcurrentExecutions(Function));
        Assert.Single(harness.Outbox.Outstanding);
        Assert.Equal(1, harness.Meters.Observe(RoutingMetrics.QueueDepth, ("namespace", "team-a"), ("function", "hello")));
        Assert.Equal(1, harness.Meters.Observe(RoutingMetrics.ConcurrentExecutions, ("namespace", "team-a"), ("function", "hello")));
        await shim.ReceivedAsync(1);
        Assert.False(second.IsCompleted);

        release.SetResult();

        Assert.Equal("\"first\"", Payload(await first));
        Assert.Equal("\"second\"", Payload(await second));
        Assert.Equal(2, shim.Received.Count);
        Assert.Equal(0, shim.Overlaps);
        Assert.Equal(harness.Outbox.Acquired, harness.Outbox.Cancelled); // served without a grant: the ticket is withdrawn
        Assert.Equal(0, harness.Router.QueueDepth(Function));
        Assert.Equal(0, harness.Meters.Observe(RoutingMetrics.QueueDepth, ("namespace", "team-a"), ("function", "hello")));
        Assert.Equal(0, harness.Meters.Observe(RoutingMetrics.ConcurrentExecutions, ("namespace", "team-a"), ("function", "hello")));
        Assert.Single(harness.Meters.Recorded(RoutingMetrics.QueueWait, ("namespace", "team-a"), ("function", "hello")));
        Assert.Equal(["function", "namespace"], harness.Meters.LabelNames(RoutingMetrics.QueueWait));
        Assert.Equal(["function", "namespace"], harness.Meters.LabelNames(RoutingMetrics.QueueDepth));
    }

    [Fact]
    public async Task InvokeAsync_SeveralWaiting_ServedInArrivalOrder()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");
        var release = new TaskCompletionSource();
        shim.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));
        var first = harness.InvokeAsync();
        var waiting = Enumerable.Range(0, 4).Select(_ => harness.InvokeAsync()).ToList();
        Assert.Equal(4, harness.Router.QueueDepth(Function));
        Assert.Equal(4, harness.Outbox.Outstanding.Count);

        release.SetResult();
        await first;
        await Task.WhenAll(waiting);

        Assert.Equal(["req-1", "req-2", "req-3", "req-4", "req-5"], shim.Received.Select(r => r.Header("Lamina-Request-Id")));
    }

    [Fact]
    public async Task InvokeAsync_QueueFull_QueueFullAtOnceWithoutATicket()
    {
        await using var harness = new RouterHarness(o => o.QueueSize = 1);
        var shim = await harness.AddIdleShimAsync("hello-1");
        var release = new TaskCompletionSource();
        shim.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));
        var first = harness.InvokeAsync();
        var second = harness.InvokeAsync();

        var third = harness.InvokeAsync();

        Assert.True(third.IsCompletedSuccessfully);
        Assert.IsType<RouteResult.QueueFull>(await third);
        Assert.Single(harness.Outbox.Acquired);
        release.SetResult();
        Assert.IsType<RouteResult.Completed>(await first);
        Assert.IsType<RouteResult.Completed>(await second);
        Assert.Equal(2, shim.Received.Count);
    }

    [Fact]
    public async Task InvokeAsync_NoEnvironmentFreeWithinTheQueueTimeout_NoEnvironmentAndTheTicketCancelled()
    {
        await using var harness = new RouterHarness(o => o.QueueTimeout = TimeSpan.FromSeconds(10));
        var shim = await harness.AddIdleShimAsync("hello-1");
        var release = new TaskCompletionSource();
        shim.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));
        var first = harness.InvokeAsync();
        var second = harness.InvokeAsync();

        harness.Time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(second.IsCompleted);
        harness.Time.Advance(TimeSpan.FromSeconds(0.1));

        var failed = Assert.IsType<RouteResult.NoEnvironment>(await second);
        Assert.Contains("team-a.hello", failed.Message, StringComparison.Ordinal);
        Assert.Equal(0, harness.Router.QueueDepth(Function));
        Assert.Equal(harness.Outbox.Acquired, harness.Outbox.Cancelled);
        Assert.Equal([10.0], harness.Meters.Recorded(RoutingMetrics.QueueWait, ("namespace", "team-a"), ("function", "hello")));
        release.SetResult();
        Assert.IsType<RouteResult.Completed>(await first);
        Assert.Single(shim.Received);
    }

    [Fact]
    public async Task InvokeAsync_NoLeaseAndNoAnswer_WaitsTheQueueTimeoutThenNoEnvironment()
    {
        await using var harness = new RouterHarness();

        var invocation = harness.InvokeAsync();
        Assert.Equal(1, harness.Router.QueueDepth(Function));
        harness.Time.Advance(harness.Options.QueueTimeout);

        Assert.IsType<RouteResult.NoEnvironment>(await invocation);
        Assert.Equal(0, harness.Router.QueueDepth(Function));
        Assert.Equal([1UL], harness.Outbox.Cancelled);
        Assert.Null(harness.Meters.Observe(RoutingMetrics.QueueDepth, ("namespace", "team-a"), ("function", "hello"))); // nothing left: no series
    }

    [Fact]
    public async Task InvokeAsync_CallerLeavesWhileQueued_LeavesTheQueueAndItsTicketIsCancelled()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");
        var release = new TaskCompletionSource();
        shim.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));
        var first = harness.InvokeAsync();
        using var caller = new CancellationTokenSource();
        var leaving = harness.InvokeAsync(caller.Token);
        Assert.Equal(1, harness.Router.QueueDepth(Function));

        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.Equal(0, harness.Router.QueueDepth(Function));
        Assert.Equal([1UL], harness.Outbox.Cancelled);
        Assert.Equal(0, harness.Meters.Observe(RoutingMetrics.QueueDepth, ("namespace", "team-a"), ("function", "hello")));
        release.SetResult();
        await first;
        Assert.Equal(1, harness.Router.IdleEnvironments(Function));
        Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());
        Assert.Equal(2, shim.Received.Count); // the one that left was never sent
    }

    [Fact]
    public async Task InvokeAsync_CallerLeavesWhileRunning_ReturnsAtOnceAndTheEnvironmentStaysLentUntilTheShimAnswers()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");
        var release = new TaskCompletionSource();
        shim.Script(new ShimReply.Held(release.Task, ShimReply.Ok()));
        using var caller = new CancellationTokenSource();
        var leaving = harness.InvokeAsync(caller.Token);
        await shim.ReceivedAsync(1);

        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.Equal(1, harness.Router.ConcurrentExecutions(Function));
        var next = harness.InvokeAsync();
        Assert.Equal(1, harness.Router.QueueDepth(Function)); // not sent where the function still runs
        release.SetResult();
        Assert.IsType<RouteResult.Completed>(await next);
        Assert.Equal(2, shim.Received.Count);
        Assert.Equal(0, shim.Overlaps);
    }

    [Fact]
    public async Task InvokeAsync_EnvironmentKilledMidInvocation_EnvironmentLostNotRetriedAndTheLeaseReleased()
    {
        await using var harness = new RouterHarness();
        var killed = await harness.AddIdleShimAsync("hello-1");
        killed.Script(new ShimReply.Killed());
        var other = await harness.AddIdleShimAsync("hello-2");

        var result = await harness.InvokeAsync();

        Assert.IsType<RouteResult.EnvironmentLost>(result);
        Assert.Single(killed.Received);
        Assert.Empty(other.Received); // the function may have run: at most once
        Assert.Equal(["lease-hello-1"], harness.Outbox.Released);
    }

    [Fact]
    public async Task InvokeAsync_EmptyEventKilledMidInvocation_EnvironmentLostAndNotRetried()
    {
        await using var harness = new RouterHarness();
        var killed = await harness.AddIdleShimAsync("hello-1");
        killed.Script(new ShimReply.Killed());
        var other = await harness.AddIdleShimAsync("hello-2");

        var result = await harness.Router.InvokeAsync(Function, harness.Request(payload: ""), CancellationToken.None);

        Assert.IsType<RouteResult.EnvironmentLost>(result);
        Assert.Equal("", Assert.Single(killed.Received).Body);
        Assert.Empty(other.Received);
    }

    [Fact]
    public async Task InvokeAsync_AnswerOutsideTheContract_EnvironmentLostAndNotRetried()
    {
        await using var harness = new RouterHarness();
        var broken = await harness.AddIdleShimAsync("hello-1");
        broken.Script(new ShimReply.ServerError());
        var other = await harness.AddIdleShimAsync("hello-2");

        var lost = Assert.IsType<RouteResult.EnvironmentLost>(await harness.InvokeAsync());

        Assert.Contains("500", lost.Message, StringComparison.Ordinal);
        Assert.Empty(other.Received);
    }

    [Fact]
    public async Task InvokeAsync_ShimRejectsTheRequest_RejectedPassedOnAndNotRetried()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");
        shim.Script(new ShimReply.Rejected(413, "RequestTooLargeException", """{"Type":"User","message":"too large"}"""));
        var other = await harness.AddIdleShimAsync("hello-2");

        var rejected = Assert.IsType<RouteResult.Rejected>(await harness.InvokeAsync());

        Assert.Equal(413, rejected.StatusCode);
        Assert.Equal("RequestTooLargeException", rejected.ErrorType);
        Assert.Equal("""{"Type":"User","message":"too large"}""", Encoding.UTF8.GetString(rejected.Body.Span));
        Assert.Empty(other.Received);
        Assert.Equal(2, harness.Router.IdleEnvironments(Function)); // the shim is fine
    }

    [Fact]
    public async Task InvokeAsync_ManyConcurrentInvocations_NeverTwoAtOnceOnOneEnvironment()
    {
        await using var harness = new RouterHarness();
        FakeShim[] shims = [await harness.AddIdleShimAsync("hello-1"), await harness.AddIdleShimAsync("hello-2"), await harness.AddIdleShimAsync("hello-3")];

        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => Task.Run(() => harness.InvokeAsync()))).WaitAsync(Soon);

        Assert.All(results, result => Assert.IsType<RouteResult.Completed>(result));
        Assert.Equal(60, shims.Sum(s => s.Received.Count));
        Assert.All(shims, shim => Assert.Equal(0, shim.Overlaps));
        Assert.Equal(0, harness.Router.ConcurrentExecutions(Function));
        Assert.Equal(3, harness.Router.IdleEnvironments(Function));
        Assert.Empty(harness.Outbox.Outstanding);
    }

    // ---------------------------------------------------------------- metrics

    [Fact]
    public async Task Metrics_LeasesHeld_GaugePerFunction()
    {
        await using var harness = new RouterHarness();
        await harness.AddIdleShimAsync("hello-1");
        await harness.AddIdleShimAsync("hello-2");
        Assert.Equal(2, harness.Meters.Observe(RoutingMetrics.Leases, ("namespace", "team-a"), ("function", "hello")));

        harness.Router.Revoke("lease-hello-1");

        Assert.Equal(1, harness.Meters.Observe(RoutingMetrics.Leases, ("namespace", "team-a"), ("function", "hello")));
        Assert.Equal(["function", "namespace"], harness.Meters.LabelNames(RoutingMetrics.Leases));
    }

    [Fact]
    public async Task Metrics_ProvisionedEnvironment_CountedAsProvisionedNotSpillover()
    {
        await using var harness = new RouterHarness();
        harness.Catalog.Provisioned[("team-a", "hello")] = 1;
        await harness.AddIdleShimAsync("hello-pc-1", provisioned: true);

        Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());

        Assert.Equal([1.0], harness.Meters.Recorded(RoutingMetrics.ProvisionedInvocations, ("namespace", "team-a"), ("function", "hello")));
        Assert.Empty(harness.Meters.Recorded(RoutingMetrics.SpilloverInvocations, ("namespace", "team-a"), ("function", "hello")));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public async Task Metrics_OnDemandEnvironment_SpilloverOnlyWhenTheFunctionHasProvisionedConcurrency(int provisioned, int expectedSpillovers)
    {
        await using var harness = new RouterHarness();
        harness.Catalog.Provisioned[("team-a", "hello")] = provisioned;
        await harness.AddIdleShimAsync("hello-1");

        Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());

        Assert.Equal(expectedSpillovers, harness.Meters.Recorded(RoutingMetrics.SpilloverInvocations, ("namespace", "team-a"), ("function", "hello")).Count);
        Assert.Empty(harness.Meters.Recorded(RoutingMetrics.ProvisionedInvocations, ("namespace", "team-a"), ("function", "hello")));
    }

    private static string Payload(RouteResult result) =>
        Encoding.UTF8.GetString(Assert.IsType<RouteResult.Completed>(result).Payload.Span);
}
