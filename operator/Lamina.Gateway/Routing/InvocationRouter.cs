using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Routing;

/// <summary>
/// Runs each invocation on an idle environment of its function, as this replica sees them: the
/// most recently used idle one first; a busy or unavailable answer, or a shim that cannot be
/// reached, moves it at once to the next; with none idle it waits in the function's bounded FIFO
/// queue until an environment frees up or a new one becomes ready. Several replicas share nothing:
/// that one environment runs one invocation at a time is the shim's busy answer, not this state.
/// </summary>
internal sealed partial class InvocationRouter : IInvocationRouter, IEnvironmentObserver, IDisposable
{
    private static readonly RouteResult QueueFullResult = new RouteResult.QueueFull();

    private readonly ConcurrentDictionary<FunctionKey, FunctionPool> _pools = new();
    private readonly ShimClient _shim;
    private readonly RoutingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RoutingMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private readonly Func<FunctionKey, FunctionPool> _newPool;
    private readonly Action<FunctionPool> _poolRetired;
    private int _disposed;

    public InvocationRouter(
        EnvironmentRegistry registry,
        ShimClient shim,
        IOptions<RoutingOptions> options,
        TimeProvider time,
        IMeterFactory meterFactory,
        ILogger<InvocationRouter> logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(shim);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _shim = shim;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _poolRetired = pool => _pools.TryRemove(new KeyValuePair<FunctionKey, FunctionPool>(pool.Function, pool));
        _newPool = function => new FunctionPool(function, _options, _time, _poolRetired);
        _metrics = new RoutingMetrics(meterFactory, () => _pools.Values);
        _stoppingToken = _stopping.Token; // read once: calls still ending after Dispose must not touch the disposed source
        registry.Subscribe(this);
    }

    /// <summary>
    /// Runs the invocation and says how it ended; failures are results, never exceptions. Throws
    /// <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> fires (the
    /// caller left): a queued invocation leaves the queue; one already sent runs to its end on the
    /// environment (as Lambda's do), which this replica keeps busy until the shim answers.
    /// </summary>
    public async Task<RouteResult> InvokeAsync(FunctionKey function, ShimRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        // Made at the first wait and kept across the next ones: QueueTimeout bounds the invocation's whole wait.
        CancellationTokenSource? deadline = null;
        try
        {
            while (true)
            {
                var (pool, acquisition) = Acquire(function);
                if (acquisition.QueueFull)
                {
                    LogQueueFull(function.Namespace, function.Name, request.RequestId, _options.QueueSize);
                    return QueueFullResult;
                }

                var slot = acquisition.Slot;
                if (slot is null)
                {
                    deadline ??= new CancellationTokenSource(_options.QueueTimeout, _time);
                    slot = await WaitAsync(acquisition.Waiter!, deadline.Token, cancellationToken).ConfigureAwait(false);
                    if (slot is null)
                    {
                        LogNoEnvironment(function.Namespace, function.Name, request.RequestId, _options.QueueTimeout.TotalSeconds);
                        return new RouteResult.NoEnvironment(
                            $"No environment of function {function} became available within {_options.QueueTimeout.TotalSeconds:0.###} s.");
                    }

                    if (cancellationToken.IsCancellationRequested)
                    {
                        // Granted as the caller left: give it straight back, to the next waiter if any.
                        pool.Return(slot, ReturnKind.Unused);
                        cancellationToken.ThrowIfCancellationRequested();
                    }
                }

                // The call is not tied to the caller: once sent, the function runs to its end (its
                // environment stays lent until the shim answers), whether or not anyone still waits.
                var answer = await RunAsync(slot, request).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!answer.TryAnother)
                {
                    return answer.Result!;
                }

                LogTryingAnother(function.Namespace, function.Name, request.RequestId, slot.Environment.Pod, answer.Outcome, answer.Detail);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            deadline?.Dispose();
        }
    }

    /// <summary>Invocations of <paramref name="function"/> waiting in this replica's queue.</summary>
    public int QueueDepth(FunctionKey function) => _pools.TryGetValue(function, out var pool) ? pool.QueueDepth : 0;

    /// <summary>Invocations of <paramref name="function"/> on an environment through this replica.</summary>
    public int ConcurrentExecutions(FunctionKey function) => _pools.TryGetValue(function, out var pool) ? pool.InFlight : 0;

    /// <summary>Environments of <paramref name="function"/> idle as this replica sees them.</summary>
    public int IdleEnvironments(FunctionKey function) => _pools.TryGetValue(function, out var pool) ? pool.IdleCount : 0;

    public void EnvironmentAdded(FunctionKey function, FunctionEnvironment environment)
    {
        while (!_pools.GetOrAdd(function, _newPool).Add(environment))
        {
            // The pool retired between lookup and add: the next lookup makes a new one.
        }
    }

    public void EnvironmentRemoved(FunctionKey function, FunctionEnvironment environment)
    {
        if (_pools.TryGetValue(function, out var pool))
        {
            pool.Remove(environment);
        }
    }

    /// <summary>Abandons calls still running and stops rest timers; safe to call twice (DI disposes it under both its service types).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        foreach (var pool in _pools.Values)
        {
            pool.Close();
        }

        _stopping.Dispose();
    }

    private (FunctionPool Pool, Acquisition Acquisition) Acquire(FunctionKey function)
    {
        while (true)
        {
            var pool = _pools.GetOrAdd(function, _newPool);
            var acquisition = pool.Acquire();
            if (!acquisition.IsRetired)
            {
                return (pool, acquisition);
            }
        }
    }

    /// <summary>Waits for the queue to grant an environment: null when the deadline passes first.</summary>
    private async Task<EnvironmentSlot?> WaitAsync(QueueWaiter waiter, CancellationToken deadline, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var left = cancellationToken.UnsafeRegister(static (state, token) => Leave(state, token, expired: false), waiter);
        var expired = deadline.UnsafeRegister(static (state, token) => Leave(state, token, expired: true), waiter);
        try
        {
            return await waiter.Task.ConfigureAwait(false);
        }
        finally
        {
            await left.DisposeAsync().ConfigureAwait(false);
            await expired.DisposeAsync().ConfigureAwait(false);
            _metrics.Waited(waiter.Pool, _time.GetElapsedTime(started));
        }

        static void Leave(object? state, CancellationToken token, bool expired)
        {
            var waiter = (QueueWaiter)state!;
            waiter.Pool.Leave(waiter, expired, token);
        }
    }

    /// <summary>One call to one environment; gives the environment back however it ends, and never throws.</summary>
    private async Task<ShimAnswer> RunAsync(EnvironmentSlot slot, ShimRequest request)
    {
        ShimAnswer answer;
        try
        {
            answer = await _shim.InvokeAsync(slot.Environment, request, _stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            answer = ShimAnswer.Lost(e.Message);
        }

        slot.Pool.Return(slot, answer.Outcome is ShimOutcome.Completed or ShimOutcome.Rejected ? ReturnKind.Answered : ReturnKind.Rest);
        if (answer.Outcome == ShimOutcome.Lost)
        {
            var function = slot.Pool.Function;
            LogLost(function.Namespace, function.Name, request.RequestId, slot.Environment.Pod, answer.Detail);
        }

        return answer;
    }
}
