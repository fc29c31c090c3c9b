namespace Lamina.Gateway.Routing;

/// <summary>The pod watcher's log messages.</summary>
internal sealed partial class FunctionPodWatcher
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Function pods listed in {Scope}: {Environments} environments ready")]
    private partial void LogSynced(string scope, int environments);
}
