using System.Diagnostics.Metrics;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>
/// Whether this replica (a gateway or a worker) is connected to the concurrency controller: while it
/// is not, it holds on to the leases it has but gets no new one, so cold starts and scale-out wait.
/// A gauge, read at each scrape, because the question an SRE asks is "is it connected now".
/// </summary>
internal sealed class ConcurrencyConnectionMetrics
{
    public const string Connected = "lamina_controller_connected";

    public ConcurrencyConnectionMetrics(IMeterFactory meterFactory, ConcurrencyConnection connection)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(connection);
        meterFactory.Create(RoutingMetrics.MeterName).CreateObservableGauge(
            Connected,
            () => connection.Connected ? 1 : 0,
            description: "1 while this replica's stream to the concurrency controller (the operator's leader) is up, 0 while it is not: no new environment is leased to it meanwhile.");
    }
}
