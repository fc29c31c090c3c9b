using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Async;

/// <summary>Async invocation is off (no Redis configured): nothing is stored, and the handler says so.</summary>
internal sealed class DisabledAsyncQueue : IAsyncQueue
{
    public static DisabledAsyncQueue Instance { get; } = new();

    public bool Enabled => false;

    public int MaximumPayload => AsyncOptions.DefaultMaximumPayload;

    public Task EnqueueAsync(FunctionKey function, AsyncEvent e) =>
        throw new InvalidOperationException($"async invocation is off: {AsyncOptions.Section}:Redis is not set");
}
