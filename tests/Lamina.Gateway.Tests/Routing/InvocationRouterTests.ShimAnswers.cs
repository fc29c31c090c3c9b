using System.Text;
using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>What the shim answered (busy, unavailable, unreachable, lost, rejected) and the queue that waits meanwhile (<c>LeasedEnvironments.Lending.cs</c>).</summary>
public sealed partial class InvocationRouterTests
{
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
}
