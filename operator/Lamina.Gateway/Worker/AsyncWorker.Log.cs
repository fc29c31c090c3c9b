using Lamina.Gateway.Async;

namespace Lamina.Gateway.Worker;

/// <summary>
/// The async worker's log messages (request ids, never payloads). Its block is 110-122: 112-114 and 119
/// are <see cref="OutcomeWriter"/>'s, 122 is <see cref="RunningEvents"/>', all in this category.
/// </summary>
internal sealed partial class AsyncWorker
{
    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Async workers started as consumer {Consumer}, at most {MaxConcurrency} events at once")]
    private partial void LogStarted(string consumer, int maxConcurrency);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Async event {RequestId} of {Namespace}/{Function}: claimed entry {EntryId} from a worker that stopped refreshing it")]
    private partial void LogClaimed(string @namespace, string function, string? requestId, StackExchange.Redis.RedisValue entryId);

    [LoggerMessage(EventId = 115, Level = LogLevel.Warning, Message = "Async stream entry {EntryId} of {Namespace}/{Function} is not an event; dead-lettered as it is")]
    private partial void LogMalformed(string @namespace, string function, string entryId);

    [LoggerMessage(EventId = 116, Level = LogLevel.Warning, Message = "Async stream entry {EntryId} of {Namespace}/{Function} (request id {RequestId}) is {Verdict}: its signature is not the gateways' (written into Redis by someone else, or changed there); not invoked, dead-lettered as it is")]
    private partial void LogForged(string @namespace, string function, string requestId, string entryId, EventVerdict verdict);

    [LoggerMessage(EventId = 117, Level = LogLevel.Information, Message = "Async event {RequestId} of {Namespace}/{Function}: the worker stopped mid-invocation; left pending for another")]
    private partial void LogLeftPending(string @namespace, string function, string requestId);

    [LoggerMessage(EventId = 118, Level = LogLevel.Error, Message = "Async event {RequestId} of {Namespace}/{Function}: its outcome could not be stored; left pending, to be claimed and invoked again")]
    private partial void LogNotStored(Exception exception, string @namespace, string function, string requestId);

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "Async workers: Redis failed ({Reason}); reading again shortly")]
    private partial void LogRedisFailed(string reason);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "Async workers: a stream lost its consumer group ({Reason}); creating the groups again")]
    private partial void LogGroupMissing(string reason);
}
