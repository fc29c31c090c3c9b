namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>The controller connection's log messages.</summary>
internal sealed partial class ConcurrencyConnection
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Debug, Message = "Connecting to the concurrency controller at {Address}")]
    private partial void LogConnecting(Uri address);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Connected to the concurrency controller as {GatewayId}")]
    private partial void LogConnected(string gatewayId);

    [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "The concurrency controller at {Address} ended the stream; reconnecting")]
    private partial void LogStreamEnded(Uri address);

    [LoggerMessage(EventId = 43, Level = LogLevel.Information, Message = "{Address} is not the concurrency controller's leader ({Detail}); looking for it again")]
    private partial void LogNotLeader(Uri address, string detail);

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning, Message = "The stream to the concurrency controller at {Address} failed: {Reason}; reconnecting")]
    private partial void LogStreamFailed(string address, string reason);

    [LoggerMessage(EventId = 45, Level = LogLevel.Warning, Message = "Nothing from the concurrency controller for {Seconds} s: the stream is dead; reconnecting")]
    private partial void LogSilent(double seconds);

    [LoggerMessage(EventId = 46, Level = LogLevel.Warning, Message = "Nothing from the concurrency controller for the lease TTL ({Seconds} s): every lease is dropped; waiting invocations keep their tickets")]
    private partial void LogLeasesExpired(double seconds);
}
