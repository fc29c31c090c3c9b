using Lamina.Concurrency.V1;
using Lamina.Gateway.Hosting;
using Lamina.Gateway.Tests.ConcurrencyClient;
using Lamina.Gateway.Tests.Routing;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.Hosting;

/// <summary>
/// A gateway that is stopping (issue 19): readiness 503 at once, invocations still taken during the
/// drain delay, then refused while those running finish, then every lease given back to the
/// controller on the open stream, not left for its lease TTL.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class GatewayDrainTests
{
    // Under the connection's 5 s stream-silence bound, so the manual clock does not end the stream.
    private static readonly GatewayShutdownOptions Shutdown = new() { DrainDelay = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(25) };

    [Fact]
    public async Task StoppingAsync_LeasesHeldAndAnInvocationRunning_ReadinessFlipsRefusesNewFinishesRunningThenReleasesEveryLease()
    {
        await using var gateway = await ConnectedGateway.StartAsync();
        var harness = gateway.Harness;
        await gateway.GrantIdleAsync(RouterHarness.Function, "two idle leases", "hello-1", "hello-2");
        var gate = new ShutdownGate();
        Assert.True(gate.TryEnter()); // an invocation running when SIGTERM comes
        var drain = new GatewayDrain(gate, harness.Routing.Router, harness.Outbox, Options.Create(Shutdown), harness.Time, NullLogger<GatewayDrain>.Instance);

        var stopping = drain.StoppingAsync(CancellationToken.None);

        // At once: not ready, but still taking invocations while the Service drops the replica.
        Assert.Equal(503, await StatusOf(GatewayReadiness.Answer(gate, () => true)));
        Assert.True(gate.TryEnter());
        gate.Exit();
        await AdvanceUntilAsync(gateway, () => gate.Closed, "new invocations refused after the drain delay");
        Assert.False(gate.TryEnter());

        // The running invocation keeps the leases until it ends.
        Assert.False(stopping.IsCompleted);
        Assert.Empty(gateway.Releases);
        gate.Exit();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        // Given back on the stream that is still open (sent before StoppingAsync returned).
        Assert.Equal(0, harness.Routing.Router.Leases(RouterHarness.Function));
        Assert.Single(gateway.Controller.Streams);
        await ConnectionHarness.EventuallyAsync(
            () => gateway.Releases.Order(StringComparer.Ordinal).SequenceEqual(["lease-hello-1", "lease-hello-2"]),
            $"both leases given back; received {gateway.Stream.Received.Count} messages");
    }

    [Fact]
    public async Task StoppingAsync_GrantArrivesAfterLeaving_GivenBackAtOnce()
    {
        await using var gateway = await ConnectedGateway.StartAsync();
        var harness = gateway.Harness;
        gateway.Heartbeat();
        var gate = new ShutdownGate();
        var drain = new GatewayDrain(gate, harness.Routing.Router, harness.Outbox, Options.Create(Shutdown), harness.Time, NullLogger<GatewayDrain>.Instance);
        var stopping = drain.StoppingAsync(CancellationToken.None);
        await AdvanceUntilAsync(gateway, () => stopping.IsCompleted, "stopped");

        // A ticket answered late (nobody waits for it any more): the lease must not idle here for its TTL.
        gateway.Stream.Send(new ControllerMessage { LeaseTtlMs = ConnectedGateway.LeaseTtlMs, Grants = { new Grant { Ticket = 5, Lease = RouterHarness.LeaseAt("127.0.0.1:3", "hello-3") } } });

        await ConnectionHarness.EventuallyAsync(() => gateway.Releases.Contains("lease-hello-3"), "the late lease given back");
        Assert.Equal(0, harness.Routing.Router.Leases(RouterHarness.Function));
    }

    [Fact]
    public async Task StoppingAsync_InvocationOutlastsTheTimeout_LeasesOfIdleEnvironmentsStillGivenBack()
    {
        await using var gateway = await ConnectedGateway.StartAsync();
        var harness = gateway.Harness;
        await gateway.GrantIdleAsync(RouterHarness.Function, "an idle lease", "hello-1");
        var gate = new ShutdownGate();
        Assert.True(gate.TryEnter()); // never ends
        var options = new GatewayShutdownOptions { DrainDelay = TimeSpan.Zero, Timeout = TimeSpan.FromSeconds(4) };
        var drain = new GatewayDrain(gate, harness.Routing.Router, harness.Outbox, Options.Create(options), harness.Time, NullLogger<GatewayDrain>.Instance);

        var stopping = drain.StoppingAsync(CancellationToken.None);
        await AdvanceUntilAsync(gateway, () => stopping.IsCompleted, "stopped within its timeout");

        await ConnectionHarness.EventuallyAsync(() => gateway.Releases.Contains("lease-hello-1"), "the idle lease given back");
        Assert.Equal(1, gate.Running);
    }

    [Fact]
    public async Task Answer_NotStopping_ReadyWhenSynced()
    {
        var gate = new ShutdownGate();

        Assert.Equal(200, await StatusOf(GatewayReadiness.Answer(gate, () => true)));
        Assert.Equal(503, await StatusOf(GatewayReadiness.Answer(gate, () => false)));
    }

    /// <summary>
    /// Moves the clock in half seconds until <paramref name="condition"/> holds, the controller's
    /// heartbeat sent each step as a real controller does, so the stream is not ended as silent.
    /// </summary>
    private static Task AdvanceUntilAsync(ConnectedGateway gateway, Func<bool> condition, string what) =>
        Eventually.HoldsAsync(condition, TimeSpan.FromSeconds(10), what, () =>
        {
            gateway.Heartbeat();
            gateway.Harness.Time.Advance(TimeSpan.FromMilliseconds(500));
            return Task.CompletedTask;
        });

    private static async Task<int> StatusOf(IResult result)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        await result.ExecuteAsync(context);
        return context.Response.StatusCode;
    }
}
