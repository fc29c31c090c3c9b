namespace Lamina.Gateway.Hosting;

internal sealed partial class GatewayDrain
{
    [LoggerMessage(1, LogLevel.Information, "stopping: readiness is 503; invocations are still taken for {Seconds} s while the Service drops this replica")]
    private partial void LogDraining(double seconds);

    [LoggerMessage(2, LogLevel.Information, "stopping: new invocations refused; the {Running} running have finished")]
    private partial void LogFinished(int running);

    [LoggerMessage(3, LogLevel.Warning, "stopping: {Running} invocations still running when the shutdown timeout came; they are cut off")]
    private partial void LogNotFinished(int running);

    [LoggerMessage(4, LogLevel.Information, "stopping: every lease given back to the concurrency controller")]
    private partial void LogReleased();

    [LoggerMessage(5, LogLevel.Warning, "stopping: the leases' release was not sent within {Seconds} s (no controller stream?); the controller frees them after its lease TTL")]
    private partial void LogReleaseNotSent(double seconds);
}
