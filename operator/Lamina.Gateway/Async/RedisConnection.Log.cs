namespace Lamina.Gateway.Async;

/// <summary>The Redis connection's log messages.</summary>
internal sealed partial class RedisConnection
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Async invocations: connected to Redis at {EndPoints}")]
    private partial void LogConnected(string endPoints);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async invocations: Redis at {EndPoints} is not reachable yet; Event invocations answer 500 until it is (synchronous ones are not affected)")]
    private partial void LogNotConnected(string endPoints);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async invocations: lost the connection to Redis at {EndPoint} ({FailureType}); reconnecting")]
    private partial void LogConnectionFailed(System.Net.EndPoint? endPoint, StackExchange.Redis.ConnectionFailureType failureType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Async invocations: reconnected to Redis at {EndPoint}")]
    private partial void LogConnectionRestored(System.Net.EndPoint? endPoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Async invocations: {Refusal}")]
    private partial void LogRefused(string refusal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async invocations: {Problem}; accepted because RequireDurableRedis is false")]
    private partial void LogNotDurableAccepted(string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Async invocations: could not check Redis' durability settings now ({Reason}); checked again on the next connect")]
    private partial void LogDurabilityUnchecked(string reason);
}
