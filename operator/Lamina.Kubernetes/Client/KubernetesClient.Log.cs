using Microsoft.Extensions.Logging;

namespace Lamina.Kubernetes.Client;

public sealed partial class KubernetesClient
{
    // Debug: callers decide what a failure means (NotFound is often expected) and log it themselves.
    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} answered {StatusCode} {Reason}: {ErrorMessage}")]
    private partial void LogRequestFailed(string method, string path, int statusCode, string? reason, string errorMessage);

    [LoggerMessage(Level = LogLevel.Debug, Message = "watch opened: {Path}")]
    private partial void LogWatchOpened(string path);
}
