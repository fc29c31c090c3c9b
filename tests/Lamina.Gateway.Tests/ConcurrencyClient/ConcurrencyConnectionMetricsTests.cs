using Lamina.Gateway.ConcurrencyClient;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.ConcurrencyClient;

/// <summary><c>lamina_controller_connected</c> follows the stream to a fake controller on loopback.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ConcurrencyConnectionMetricsTests
{
    [Fact]
    public async Task Connected_ZeroUntilTheControllerSpeaksOneWhileItDoesZeroOnceTheStreamEnds()
    {
        await using var gateway = await ConnectedGateway.StartAsync();
        using var factory = TestMeters.Factory();
        using var meters = new MetricCollectors(factory);
        _ = new ConcurrencyConnectionMetrics(factory, gateway.Harness.Connection);
        double? Observed() => meters.Observe(ConcurrencyConnectionMetrics.Connected);

        await gateway.Stream.HelloAsync();
        Assert.Equal(0, Observed()); // the stream is open, but no controller has spoken on it
        gateway.Heartbeat();
        await ConnectionHarness.EventuallyAsync(() => Observed() == 1, "1 once the controller has spoken");

        gateway.Stream.End();
        await ConnectionHarness.EventuallyAsync(() => Observed() == 0, "0 once the stream ended");
    }
}
