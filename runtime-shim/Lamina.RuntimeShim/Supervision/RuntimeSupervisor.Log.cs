namespace Lamina.RuntimeShim.Supervision;

internal sealed partial class RuntimeSupervisor
{
    [LoggerMessage(1, LogLevel.Information, "Runtime {Generation} started (pid {ProcessId})")]
    private static partial void LogStarted(ILogger logger, int generation, int processId);

    [LoggerMessage(2, LogLevel.Error, "The runtime could not be started: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string reason);

    [LoggerMessage(3, LogLevel.Warning, "The runtime failed {Failures} times in a row: restarting it in {DelaySeconds} s")]
    private static partial void LogBackoff(ILogger logger, int failures, double delaySeconds);
}
