using Lamina.Concurrency.V1;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Tests.Routing;

namespace Lamina.Gateway.Tests.ConcurrencyClient;

/// <summary>
/// A gateway connected to a fake concurrency controller on loopback: the controller, the gateway's
/// connection to it (<see cref="ConnectionHarness"/>, started) and the stream it opened, on which the
/// test speaks as the controller. The set-up shared by the connection's and the drain's tests.
/// </summary>
internal sealed class ConnectedGateway : IAsyncDisposable
{
    /// <summary>The lease time to live the controller announces: long enough that no test's clock runs it out by accident.</summary>
    public const int LeaseTtlMs = 30_000;

    private ConnectedGateway(FakeController controller, ConnectionHarness harness, FakeControllerStream stream)
    {
        Controller = controller;
        Harness = harness;
        Stream = stream;
    }

    public FakeController Controller { get; }

    public ConnectionHarness Harness { get; }

    /// <summary>The first stream the gateway opened.</summary>
    public FakeControllerStream Stream { get; }

    /// <summary>Every lease the gateway has given back on <see cref="Stream"/> so far.</summary>
    public IEnumerable<string> Releases => Stream.Received.SelectMany(m => m.Releases);

    /// <summary>Starts a controller and a gateway connected to it, and waits for the gateway's stream.</summary>
    public static async Task<ConnectedGateway> StartAsync()
    {
        var controller = await FakeController.StartAsync();
        ConnectionHarness? harness = null;
        try
        {
            harness = new ConnectionHarness(controller.Address);
            await harness.StartAsync();
            var stream = await controller.StreamAsync(0);
            return new ConnectedGateway(controller, harness, stream);
        }
        catch
        {
            if (harness is not null)
            {
                await harness.DisposeAsync();
            }

            await controller.DisposeAsync();
            throw;
        }
    }

    /// <summary>The controller's word with nothing in it, as its heartbeat: the gateway is ready once it has heard one.</summary>
    public void Heartbeat() => Stream.Send(new ControllerMessage { LeaseTtlMs = LeaseTtlMs });

    /// <summary>
    /// Grants one lease of <paramref name="function"/> per pod, for tickets nobody waits for (at
    /// <c>127.0.0.1:1</c>, <c>:2</c>, …), and waits until the gateway idles them all, as <paramref name="what"/>.
    /// </summary>
    public Task GrantIdleAsync(FunctionKey function, string what, params string[] pods)
    {
        var message = new ControllerMessage { LeaseTtlMs = LeaseTtlMs };
        for (var i = 0; i < pods.Length; i++)
        {
            // 998, 999 for two: tickets the gateway's outbox (counting from 1) has not handed out.
            var ticket = (ulong)(1000 - pods.Length + i);
            message.Grants.Add(new Grant { Ticket = ticket, Lease = RouterHarness.LeaseAt($"127.0.0.1:{i + 1}", pods[i], function: function) });
        }

        Stream.Send(message);
        return ConnectionHarness.EventuallyAsync(() => Harness.Routing.Router.Leases(function) == pods.Length, what);
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        await Controller.DisposeAsync();
    }
}
