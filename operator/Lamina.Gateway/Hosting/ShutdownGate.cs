namespace Lamina.Gateway.Hosting;

/// <summary>
/// The gateway's side of stopping (<see cref="GatewayDrain"/>): whether it is draining (readiness
/// answers 503, answers close their connection), whether it still takes new invocations, and how
/// many it is running, so that it stops only once they have finished.
/// </summary>
internal sealed class ShutdownGate
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _idle;
    private int _running;
    private volatile bool _draining;
    private volatile bool _closed;

    /// <summary>Stopping began: /readyz answers 503 and every answer carries <c>Connection: close</c>.</summary>
    public bool Draining => _draining;

    /// <summary>New invocations are refused (503); those running finish.</summary>
    public bool Closed => _closed;

    /// <summary>Invocations running now.</summary>
    public int Running
    {
        get { lock (_gate) { return _running; } }
    }

    public void BeginDraining() => _draining = true;

    /// <summary>Refuse new invocations from now (draining too).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _draining = true;
            _closed = true;
        }
    }

    /// <summary>An invocation starts; false once <see cref="Close"/> was called (refuse it).</summary>
    public bool TryEnter()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            _running++;
            return true;
        }
    }

    /// <summary>An invocation <see cref="TryEnter"/> let in has ended.</summary>
    public void Exit()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            _running--;
            if (_running == 0 && _idle is not null)
            {
                idle = _idle;
                _idle = null;
            }
        }

        idle?.TrySetResult();
    }

    /// <summary>Completes when no invocation runs (at once when none does), or throws when <paramref name="cancellationToken"/> ends the wait.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_running == 0)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }
}
