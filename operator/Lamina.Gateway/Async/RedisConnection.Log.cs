namespace Lamina.Gateway.Async;

/// <summary>The Redis connection's log messages.</summary>
internal sealed partial class RedisConnection
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Async invocations: connected to Redis at {EndPoints}")]
    private partial void LogConnected(string endPoints);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Async invocations: Redis at {EndPoints} is not reachable yet; Event invocations answer 500 until it is (synchronous ones are not affected)")]
    private partial void LogNotConnected(string endPoints);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Async invocations: lost the connection to Redis at {EndPoint} ({FailureType}); reconnecting")]
    private partial void LogConnectionFailed(System.Net.EndPoint? endPoint, StackExchange.Redis.ConnectionFailureType failureType);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Async invocations: reconnected to Redis at {EndPoint}")]
    private partial void LogConnectionRestored(System.Net.EndPoint? endPoint);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Async invocations: {Refusal}")]
    private partial void LogRefused(string refusal);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Async invocations: {Problem}; accepted because RequireDurableRedis is false")]
    private partial void LogNotDurableAccepted(string problem);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Async invocations: could not check Redis' durability settings now ({Reason}); checked again on the next connect")]
    private partial void LogDurabilityUnchecked(string reason);
}
