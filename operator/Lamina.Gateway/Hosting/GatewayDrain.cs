using Lamina.Gateway.ConcurrencyClient;
using Lamina.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Hosting;

/// <summary>
/// Stops a gateway without failing invocations or holding capacity (docs/gateway-routing.md,
/// "Stopping"). On SIGTERM, before any service stops (<see cref="IHostedLifecycleService.StoppingAsync"/>):
/// <list type="number">
/// <item>/readyz answers 503 and every answer closes its connection, so the Service drops the
/// replica and clients reconnect elsewhere; invocations are still taken for <see cref="GatewayShutdownOptions.DrainDelay"/>;</item>
/// <item>then new invocations are refused (503, which the SDKs retry) and those running finish,
/// within <see cref="GatewayShutdownOptions.Timeout"/>;</item>
/// <item>then every lease goes back to the concurrency controller, at once rather than after its
/// lease TTL, and the gateway waits (briefly) for the release to be sent.</item>
/// </list>
/// Only then do the other services stop (the controller stream, Kestrel), within the same timeout.
/// </summary>
internal sealed partial class GatewayDrain(
    ShutdownGate gate,
    ILeaseHolder leases,
    ConcurrencyOutbox outbox,
    IOptions<GatewayShutdownOptions> options,
    TimeProvider time,
    ILogger<GatewayDrain> logger) : StoppingHook
{
    private readonly GatewayShutdownOptions _options = options.Value;

    public override async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        gate.BeginDraining();
        LogDraining(_options.DrainDelay.TotalSeconds);
        try
        {
            await Task.Delay(_options.DrainDelay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's timeout (or a second signal) cut the delay short: go on to close.
        }

        gate.Close();
        var running = gate.Running;
        using (var finishing = LeaseHandBack.FinishingDeadline(_options, time, started, cancellationToken))
        {
            try
            {
                await gate.WhenIdleAsync(finishing.Token).ConfigureAwait(false);
                LogFinished(running);
            }
            catch (OperationCanceledException)
            {
                LogNotFinished(gate.Running);
            }
        }

        if (await LeaseHandBack.GiveBackAsync(leases, outbox, cancellationToken).ConfigureAwait(false))
        {
            LogReleased();
        }
        else
        {
            LogReleaseNotSent(GatewayShutdownOptions.ReleaseAllowance.TotalSeconds);
        }
    }
}
