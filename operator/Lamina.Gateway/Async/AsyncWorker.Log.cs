namespace Lamina.Gateway.Async;

/// <summary>The async worker's log messages (request ids, never payloads).</summary>
internal sealed partial class AsyncWorker
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Async workers started as consumer {Consumer}, at most {MaxConcurrency} events at once")]
    private partial void LogStarted(string consumer, int maxConcurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Async event {RequestId} of {Namespace}/{Function}: claimed entry {EntryId} from a worker that stopped refreshing it")]
    private partial void LogClaimed(string @namespace, string function, string? requestId, StackExchange.Redis.RedisValue entryId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Async event {RequestId} of {Namespace}/{Function}: attempt {Attempt} ended {Outcome}; retrying in {Delay}")]
    private partial void LogRetrying(string @namespace, string function, string requestId, int attempt, AttemptOutcomeKind? outcome, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Async event {RequestId} of {Namespace}/{Function}: {Condition} after {Attempts} attempts")]
    private partial void LogFinished(string @namespace, string function, string requestId, string condition, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async event {RequestId} of {Namespace}/{Function}: its record could not be delivered to {Destination} ({Reason}); dead-lettered instead")]
    private partial void LogDeliveryFailed(string @namespace, string function, string requestId, string destination, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async stream entry {EntryId} of {Namespace}/{Function} is not an event; dead-lettered as it is")]
    private partial void LogMalformed(string @namespace, string function, string entryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async stream entry {EntryId} of {Namespace}/{Function} (request id {RequestId}) is {Verdict}: its signature is not the gateways' (written into Redis by someone else, or changed there); not invoked, dead-lettered as it is")]
    private partial void LogForged(string @namespace, string function, string requestId, string entryId, EventVerdict verdict);

    [LoggerMessage(Level = LogLevel.Information, Message = "Async event {RequestId} of {Namespace}/{Function}: the worker stopped mid-invocation; left pending for another")]
    private partial void LogLeftPending(string @namespace, string function, string requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Async event {RequestId} of {Namespace}/{Function}: its outcome could not be stored; left pending, to be claimed and invoked again")]
    private partial void LogNotStored(Exception exception, string @namespace, string function, string requestId);


    [LoggerMessage(Level = LogLevel.Debug, Message = "Async event already finished by another worker (it claimed the entry); nothing written")]
    private partial void LogAlreadyDone();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async workers: Redis failed ({Reason}); reading again shortly")]
    private partial void LogRedisFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async workers: a stream lost its consumer group ({Reason}); creating the groups again")]
    private partial void LogGroupMissing(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async events of {Namespace}/{Function}: could not refresh the running ones ({Reason}); they may be claimed by another worker if this lasts")]
    private partial void LogRefreshFailed(string @namespace, string function, string reason);
}
