using Microsoft.Extensions.Logging;

namespace Lamina.Kubernetes.Events;

public sealed partial class KubernetesEventRecorder
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Event {Reason} about {Kind} {Namespace}/{Name} dropped: the event queue is full (is the API server reachable?)")]
        public static partial void Dropped(ILogger logger, string? kind, string? @namespace, string? name, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Could not write event {Reason} about {Kind} {Namespace}/{Name}")]
        public static partial void WriteFailed(ILogger logger, string? kind, string? @namespace, string? name, string reason, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "Could not record an event")]
        public static partial void RecordFailed(ILogger logger, Exception exception);
    }
}
