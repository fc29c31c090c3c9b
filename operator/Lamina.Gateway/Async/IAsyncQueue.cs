using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Async;

/// <summary>Where the Invoke handler stores Event invocations.</summary>
internal interface IAsyncQueue
{
    /// <summary>False when async invocation is off (no Redis configured): Event invocations are refused.</summary>
    bool Enabled { get; }

    /// <summary>The largest Event payload accepted, in bytes.</summary>
    int MaximumPayload { get; }

    /// <summary>
    /// Stores <paramref name="e"/> durably; returns only once Redis has, and throws when it could not.
    /// Not cancellable: once sent, the caller's going away must not turn a stored event into a 500.
    /// </summary>
    Task EnqueueAsync(FunctionKey function, AsyncEvent e);
}
