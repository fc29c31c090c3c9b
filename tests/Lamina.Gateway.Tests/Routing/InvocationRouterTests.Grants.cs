using Lamina.Concurrency.V1;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>Tickets, grants and refusals: a waiter with one ticket, grants to the head of the queue, idle release (<c>LeasedEnvironments.Grants.cs</c>).</summary>
public sealed partial class InvocationRouterTests
{
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
}
