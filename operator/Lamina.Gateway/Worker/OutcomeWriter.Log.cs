using Lamina.Gateway.Async;

namespace Lamina.Gateway.Worker;

/// <summary>The outcome writer's log messages (request ids, never payloads; EventIds in <see cref="AsyncWorker"/>'s block).</summary>
internal sealed partial class OutcomeWriter
{
    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Async event {RequestId} of {Namespace}/{Function}: attempt {Attempt} ended {Outcome}; retrying in {Delay}")]
    private partial void LogRetrying(string @namespace, string function, string requestId, int attempt, AttemptOutcomeKind? outcome, TimeSpan delay);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "Async event {RequestId} of {Namespace}/{Function}: {Condition} after {Attempts} attempts")]
    private partial void LogFinished(string @namespace, string function, string requestId, string condition, int attempts);

    [LoggerMessage(EventId = 114, Level = LogLevel.Warning, Message = "Async event {RequestId} of {Namespace}/{Function}: its record could not be delivered to {Destination} ({Reason}); dead-lettered instead")]
    private partial void LogDeliveryFailed(string @namespace, string function, string requestId, string destination, string reason);

    [LoggerMessage(EventId = 119, Level = LogLevel.Debug, Message = "Async event already finished by another worker (it claimed the entry); nothing written")]
    private partial void LogAlreadyDone();
}
