using k8s;
using Microsoft.Extensions.Logging;

namespace Lamina.Kubernetes.Informers;

public sealed partial class Informer<T>
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Debug, Message = "listed {Count} {Resource} at resourceVersion {ResourceVersion}")]
    private partial void LogListed(string resource, int count, string? resourceVersion);

    [LoggerMessage(EventId = 901, Level = LogLevel.Warning, Message = "listing {Resource} failed; retrying in {DelaySeconds} s")]
    private partial void LogListFailed(string resource, double delaySeconds, Exception error);

    [LoggerMessage(EventId = 902, Level = LogLevel.Debug, Message = "watch of {Resource} closed after {Events} events; resuming from resourceVersion {ResourceVersion}")]
    private partial void LogWatchClosed(string resource, int events, string? resourceVersion);

    [LoggerMessage(EventId = 903, Level = LogLevel.Warning, Message = "watch of {Resource} ended after {Events} events; resuming from resourceVersion {ResourceVersion} in {DelaySeconds} s")]
    private partial void LogWatchFailed(string resource, string? resourceVersion, int events, double delaySeconds, Exception? error);

    [LoggerMessage(EventId = 904, Level = LogLevel.Information, Message = "watch of {Resource} expired at resourceVersion {ResourceVersion} ({Reason}); relisting")]
    private partial void LogRelisting(string resource, string? resourceVersion, string? reason);

    [LoggerMessage(EventId = 905, Level = LogLevel.Error, Message = "a {Resource} handler threw on {EventType} of {Key}")]
    private partial void LogHandlerFailed(string resource, WatchEventType eventType, string key, Exception error);
}
