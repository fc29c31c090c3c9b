using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Tests.Fakes;

/// <summary>
/// Stores Event invocations in a list instead of Redis. Off by default, as a gateway without Redis;
/// <see cref="Failure"/> makes every enqueue throw (Redis unreachable), and <see cref="OnEnqueue"/>
/// runs while the handler waits for the store, so a test can see what the caller has been told by then.
/// </summary>
internal sealed class FakeAsyncQueue : IAsyncQueue
{
    private readonly List<(FunctionKey Function, AsyncEvent Event)> _stored = [];

    public bool Enabled { get; set; }

    public int MaximumPayload { get; set; } = AsyncOptions.DefaultMaximumPayload;

    public Exception? Failure { get; set; }

    public Action? OnEnqueue { get; set; }

    public IReadOnlyList<(FunctionKey Function, AsyncEvent Event)> Stored => _stored;

    public Task EnqueueAsync(FunctionKey function, AsyncEvent e)
    {
        OnEnqueue?.Invoke();
        if (Failure is { } failure)
        {
            return Task.FromException(failure);
        }

        _stored.Add((function, e));
        return Task.CompletedTask;
    }
}
