namespace Lamina.Gateway.Routing;

/// <summary>The router's log messages (no payloads).</summary>
internal sealed partial class InvocationRouter
{
    [LoggerMessage(EventId = 80, Level = LogLevel.Debug, Message = "Invocation {RequestId} of {Namespace}/{Function}: environment {Pod} answered {Outcome} ({Detail}); trying another")]
    private partial void LogTryingAnother(string @namespace, string function, string requestId, string pod, ShimOutcome outcome, string? detail);

    [LoggerMessage(EventId = 81, Level = LogLevel.Warning, Message = "Invocation {RequestId} of {Namespace}/{Function} was lost on environment {Pod}: {Detail}")]
    private partial void LogLost(string @namespace, string function, string requestId, string pod, string? detail);

    [LoggerMessage(EventId = 82, Level = LogLevel.Debug, Message = "Invocation {RequestId} of {Namespace}/{Function} throttled: {QueueSize} invocations already wait")]
    private partial void LogQueueFull(string @namespace, string function, string requestId, int queueSize);

    [LoggerMessage(EventId = 83, Level = LogLevel.Debug, Message = "Invocation {RequestId} of {Namespace}/{Function} refused by the concurrency controller: {Refusal}")]
    private partial void LogRefused(string @namespace, string function, string requestId, RouteResult refusal);

    [LoggerMessage(EventId = 84, Level = LogLevel.Warning, Message = "Invocation {RequestId} of {Namespace}/{Function} found no environment within {Seconds} s")]
    private partial void LogNoEnvironment(string @namespace, string function, string requestId, double seconds);

    [LoggerMessage(EventId = 85, Level = LogLevel.Warning, Message = "Lease {LeaseId} of '{Namespace}/{Function}' (pod {Pod} at '{Address}') names no function or no host:port; given back")]
    private partial void LogUnusableLease(string @namespace, string function, string leaseId, string pod, string address);
}
