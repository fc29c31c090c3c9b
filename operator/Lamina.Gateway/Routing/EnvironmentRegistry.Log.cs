namespace Lamina.Gateway.Routing;

/// <summary>The registry's log messages.</summary>
internal sealed partial class EnvironmentRegistry
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Environment {Pod} of {Namespace}/{Function} is ready at {Endpoint}")]
    private partial void LogAdded(string @namespace, string function, string pod, EnvironmentEndpoint endpoint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Environment {Pod} of {Namespace}/{Function} left (unready, terminating or deleted)")]
    private partial void LogRemoved(string @namespace, string function, string pod);
}
