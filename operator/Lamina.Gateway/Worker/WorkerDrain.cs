using Lamina.Gateway.ConcurrencyClient;
using Lamina.Gateway.Hosting;
using Lamina.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Worker;

/// <summary>
/// Stops a worker replica without losing or repeating work (docs/async.md, "Workers"). On SIGTERM,
/// before any service stops (<see cref="IHostedLifecycleService.StoppingAsync"/>):
/// <list type="number">
/// <item>the workers stop reading and claiming at once (no Service sends a worker anything, so there
/// is nothing to drain first), and the events they run finish, within the shutdown timeout less
/// <see cref="GatewayShutdownOptions.ReleaseAllowance"/>; one still running then is left pending, for
/// another replica to claim;</item>
/// <item>then every lease goes back to the concurrency controller, and the worker waits (briefly) for
/// the release to be sent.</item>
/// </list>
/// Only then do the other services stop (the controller stream, Redis, Kestrel).
/// </summary>
internal sealed partial class WorkerDrain(
    AsyncWorker worker,
    ILeaseHolder leases,
    ConcurrencyOutbox outbox,
    IOptions<GatewayShutdownOptions> options,
    TimeProvider time,
    ILogger<WorkerDrain> logger) : StoppingHook
{
    private readonly GatewayShutdownOptions _options = options.Value;

    public override async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var running = worker.Running;
        LogStopping(running);
        using (var finishing = LeaseHandBack.FinishingDeadline(_options, time, started, cancellationToken))
        {

            // Stops reading at once and waits for the running events; past the deadline it aborts them
            // (left pending, nothing acknowledged). The host's own StopAsync later finds it stopped.
            await worker.StopAsync(finishing.Token).ConfigureAwait(false);
            if (worker.Running == 0)
            {
                LogFinished(running);
            }
            else
            {
                LogNotFinished(worker.Running);
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

    [LoggerMessage(EventId = 160, Level = LogLevel.Information, Message = "stopping: no more events read or claimed; waiting for the {Running} running")]
    private partial void LogStopping(int running);

    [LoggerMessage(EventId = 161, Level = LogLevel.Information, Message = "stopping: the {Running} running events have finished")]
    private partial void LogFinished(int running);

    [LoggerMessage(EventId = 162, Level = LogLevel.Warning, Message = "stopping: {Running} events still running when the shutdown timeout came; left pending for another worker to claim")]
    private partial void LogNotFinished(int running);

    [LoggerMessage(EventId = 163, Level = LogLevel.Information, Message = "stopping: every lease given back to the concurrency controller")]
    private partial void LogReleased();

    [LoggerMessage(EventId = 164, Level = LogLevel.Warning, Message = "stopping: the leases' release was not sent within {Seconds} s (no controller stream?); the controller frees them after its lease TTL")]
    private partial void LogReleaseNotSent(double seconds);
}
