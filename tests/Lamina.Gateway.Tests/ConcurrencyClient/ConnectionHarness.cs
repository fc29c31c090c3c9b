using Lamina.Gateway.ConcurrencyClient;
using Lamina.Gateway.Tests.Routing;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Gateway.Tests.ConcurrencyClient;

/// <summary>
/// A gateway's controller connection as the host builds it: the real outbox, a router fed by it
/// (<see cref="RouterHarness"/>) and leader discovery over a fake API server, on a manual clock.
/// Idle release is an hour, so that leases stay until a test gives them back.
/// </summary>
internal sealed class ConnectionHarness : IAsyncDisposable
{
    public const string LeaseNamespace = "lamina-system";

    /// <summary>How long a test waits for the connection to do something over the network.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public ConnectionHarness(Uri? address = null, Action<Lamina.Gateway.Routing.RoutingOptions>? routing = null)
    {
        Routing = new RouterHarness(routing, controller: o =>
        {
            o.Address = address?.ToString();
            o.LeaseNamespace = LeaseNamespace;
            o.IdleRelease = TimeSpan.FromHours(1);
        }, outbox: Outbox);
        var options = Microsoft.Extensions.Options.Options.Create(Routing.ConcurrencyClientOptions);
        Connection = new ConcurrencyConnection(
            Routing.Router,
            Outbox,
            new LeaderDiscovery(Kubernetes, options, NullLogger<LeaderDiscovery>.Instance),
            options,
            Time,
            NullLogger<ConcurrencyConnection>.Instance);
    }

    public ConcurrencyOutbox Outbox { get; } = new();

    public RouterHarness Routing { get; }

    public FakeTimeProvider Time => Routing.Time;

    public FakeKubernetesClient Kubernetes { get; } = new();

    public ConcurrencyConnection Connection { get; }

    public Task StartAsync() => Connection.StartAsync(CancellationToken.None);

    /// <summary>Waits for something the connection does on its own (no timer involved).</summary>
    public static Task EventuallyAsync(Func<bool> condition, string what) => Eventually.HoldsAsync(condition, Deadline, what);

    /// <summary>Moves the clock by <paramref name="step"/> between checks, for what waits on a timer (the reconnect delay).</summary>
    public Task AdvanceUntilAsync(Func<bool> condition, TimeSpan step, string what) =>
        Eventually.HoldsAsync(condition, Deadline, what, () =>
        {
            Time.Advance(step);
            return Task.CompletedTask;
        });

    public async ValueTask DisposeAsync()
    {
        await Connection.StopAsync(CancellationToken.None);
        Connection.Dispose();
        await Routing.DisposeAsync();
    }
}
