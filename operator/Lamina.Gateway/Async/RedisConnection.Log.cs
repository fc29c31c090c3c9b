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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async invocations: Redis at {EndPoint} has appendonly={AppendOnly}, appendfsync={AppendFsync}: a 202 does not mean the event survives a Redis crash (set appendonly yes and appendfsync always; docs/async.md)")]
    private partial void LogNotDurable(System.Net.EndPoint endPoint, string? appendOnly, string? appendFsync);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async invocations: Redis at {EndPoint} has maxmemory-policy={Policy}: when full it deletes keys, stored events among them (set maxmemory-policy noeviction; docs/async.md)")]
    private partial void LogEvicts(System.Net.EndPoint endPoint, string policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Async invocations: could not read Redis' AOF settings ({Reason}); make sure appendfsync is always (docs/async.md)")]
    private partial void LogDurabilityUnknown(string reason);
}
