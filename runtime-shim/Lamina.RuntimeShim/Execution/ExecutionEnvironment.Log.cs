namespace Lamina.RuntimeShim.Execution;

internal sealed partial class ExecutionEnvironment
{
    [LoggerMessage(1, LogLevel.Information, "Runtime {Generation} initialised in {InitMilliseconds} ms")]
    private static partial void LogInitialised(ILogger logger, int generation, string initMilliseconds);

    [LoggerMessage(2, LogLevel.Warning, "Runtime {Generation} failed to initialise: {ErrorType}: {ErrorMessage}")]
    private static partial void LogInitError(ILogger logger, int generation, string errorType, string errorMessage);

    [LoggerMessage(3, LogLevel.Information, "Init error {ErrorType} returned to invocation {RequestId}; the runtime restarts")]
    private static partial void LogInitErrorReported(ILogger logger, string requestId, string errorType);

    [LoggerMessage(4, LogLevel.Information, "Runtime {Generation} exited: {ExitDescription}")]
    private static partial void LogRuntimeExited(ILogger logger, int generation, string exitDescription);

    [LoggerMessage(5, LogLevel.Information, "Draining: no new invocations; waiting for {RequestId}")]
    private static partial void LogDraining(ILogger logger, string requestId);

    [LoggerMessage(6, LogLevel.Warning, "Reading the runtime's remaining output failed")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
