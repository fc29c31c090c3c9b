using System.Diagnostics.Metrics;
using Lamina.Concurrency.V1;
using Lamina.Gateway.ConcurrencyClient;
using Lamina.Gateway.Functions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Routing;

/// <summary>
/// Runs each invocation on an environment leased from the concurrency controller: the most recently
/// used idle one first, with no word to the controller; with none idle it waits in the function's
/// bounded FIFO queue while its ticket is at the controller, until a grant, a freed environment, or
/// a refusal. Environments come only from leases, so at most one invocation runs on each, across
/// every gateway replica.
/// </summary>
internal sealed partial class InvocationRouter : IInvocationRouter, ILeaseHolder, IDisposable
{
    private static readonly RouteResult QueueFullResult = new RouteResult.QueueFull();

    private readonly PoolIndex _index = new();
    private readonly ShimClient _shim;
    private readonly IConcurrencyOutbox _outbox;
    private readonly IFunctionCatalog _catalog;
    private readonly RoutingOptions _options;
    private readonly TimeSpan _idleRelease;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RoutingMetrics _metrics;
    private readonly ITimer _idleSweep;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private readonly Func<FunctionKey, LeasedEnvironments> _newPool;
    private int _disposed;

    public InvocationRouter(
        ShimClient shim,
        IConcurrencyOutbox outbox,
        IFunctionCatalog catalog,
        IOptions<RoutingOptions> options,
        IOptions<ConcurrencyClientOptions> controllerOptions,
        TimeProvider time,
        IMeterFactory meterFactory,
        ILogger<InvocationRouter> logger)
    {
        ArgumentNullException.ThrowIfNull(shim);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(controllerOptions);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _shim = shim;
        _outbox = outbox;
        _catalog = catalog;
        _options = options.Value;
        _idleRelease = controllerOptions.Value.IdleRelease;
        _time = time;
        _logger = logger;
        _newPool = function => new LeasedEnvironments(function, _options, _outbox, _time, _index);
        _metrics = new RoutingMetrics(meterFactory, () => _index.Pools.Values);
        _stoppingToken = _stopping.Token; // read once: calls still ending after Dispose must not touch the disposed source

        // Twice per demand interval: a lease idles at most IdleRelease plus half an interval.
        var sweep = controllerOptions.Value.DemandInterval / 2;
        _idleSweep = time.CreateTimer(static state => ((InvocationRouter)state!).ReleaseIdle(), this, sweep, sweep);
    }

    /// <summary>
    /// Runs the invocation and says how it ended; failures are results, never exceptions. Throws
    /// <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> fires (the
    /// caller left): a queued invocation leaves the queue and its ticket is cancelled; one already
    /// sent runs to its end on the environment (as Lambda's do), which this replica keeps until the
    /// shim answers.
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
                    var waiter = acquisition.Waiter!;
                    deadline ??= new CancellationTokenSource(_options.QueueTimeout, _time);
                    slot = await WaitAsync(waiter, deadline.Token, cancellationToken).ConfigureAwait(false);
                    if (slot is null)
                    {
                        if (waiter.Refusal is { } refusal)
                        {
                            LogRefused(function.Namespace, function.Name, request.RequestId, refusal);
                            return refusal;
                        }

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
    public int QueueDepth(FunctionKey function) => _index.Pools.TryGetValue(function, out var pool) ? pool.QueueDepth : 0;

    /// <summary>Invocations of <paramref name="function"/> on an environment through this replica.</summary>
    public int ConcurrentExecutions(FunctionKey function) => _index.Pools.TryGetValue(function, out var pool) ? pool.InFlight : 0;

    /// <summary>Environments of <paramref name="function"/> idle as this replica sees them.</summary>
    public int IdleEnvironments(FunctionKey function) => _index.Pools.TryGetValue(function, out var pool) ? pool.IdleCount : 0;

    /// <summary>Leases of <paramref name="function"/> this replica holds.</summary>
    public int Leases(FunctionKey function) => _index.Pools.TryGetValue(function, out var pool) ? pool.Leases : 0;

    public void Grant(ulong ticket, Lease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var function = FunctionKey.Of(lease.Function);
        if (lease.Function is null || !FunctionEnvironment.TryCreate(lease.Pod, lease.Address, out var environment))
        {
            // Nothing to call there (or no function to call it for): the lease goes back, and the ticket's waiter asks again.
            LogUnusableLease(function.Namespace, function.Name, lease.LeaseId, lease.Pod, lease.Address);
            _outbox.Release(lease.LeaseId);
            if (_index.Tickets.TryGetValue(ticket, out var owning))
            {
                owning.Reissue(ticket);
            }

            return;
        }

        while (!_index.Pools.GetOrAdd(function, _newPool).Grant(ticket, lease, environment))
        {
            // The pool retired between lookup and grant: the next lookup makes a new one.
        }
    }

    public void Refuse(ulong ticket, RefusalReason reason, string message)
    {
        if (_index.Tickets.TryGetValue(ticket, out var pool))
        {
            pool.Refuse(ticket, Refusal(reason, message));
        }
    }

    public void Revoke(string leaseId)
    {
        ArgumentNullException.ThrowIfNull(leaseId);
        if (_index.Leases.TryGetValue(leaseId, out var slot))
        {
            slot.Pool.Revoke(slot);
        }
    }

    public Reclaimed Reclaim(ulong round, FunctionKey function, int count)
    {
        var answer = new Reclaimed { Round = round };
        if (_index.Pools.TryGetValue(function, out var pool))
        {
            answer.Busy = pool.Reclaim(count, answer.Released);
        }

        return answer;
    }

    public void ExpireLeases()
    {
        foreach (var pool in _index.Pools.Values)
        {
            pool.RevokeAll();
        }
    }

    public void Leave()
    {
        _index.Leaving = true;
        foreach (var pool in _index.Pools.Values)
        {
            pool.RevokeAll();
        }
    }

    public IReadOnlyList<Lease> HeldLeases()
    {
        var held = new List<Lease>();
        foreach (var pool in _index.Pools.Values)
        {
            pool.AddHeld(held);
        }

        return held;
    }

    public IReadOnlyList<Acquire> PendingTickets()
    {
        var pending = new List<Acquire>();
        foreach (var pool in _index.Pools.Values)
        {
            pool.AddPending(pending);
        }

        return pending;
    }

    public IReadOnlyList<Demand> TakeDemand()
    {
        var retired = _index.TakeRetired();
        var demand = new List<Demand>(_index.Pools.Count + retired.Count);
        foreach (var pool in _index.Pools.Values)
        {
            var started = pool.TakeStarted();
            if (retired.Remove(pool.Function, out var before))
            {
                started += before; // retired and made again since the last report: one entry
            }

            demand.Add(new Demand
            {
                Function = pool.Function.ToRef(),
                InFlight = pool.InFlight,
                ProvisionedInFlight = pool.ProvisionedInFlight,
                Waiting = pool.QueueDepth,
                Started = started,
            });
        }

        foreach (var (function, started) in retired)
        {
            demand.Add(new Demand { Function = function.ToRef(), Started = started });
        }

        return demand;
    }

    /// <summary>Abandons calls still running and stops timers; safe to call twice (DI disposes it under each of its service types).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _idleSweep.Dispose();
        _stopping.Cancel();
        foreach (var pool in _index.Pools.Values)
        {
            pool.Close();
        }

        _stopping.Dispose();
    }

    /// <summary>What a refusal means to the caller: a throttle (429) for a limit in use, else a failure (502).</summary>
    private static RouteResult Refusal(RefusalReason reason, string message) => reason switch
    {
        RefusalReason.ReservedLimitExceeded => new RouteResult.Throttled(ThrottleReasons.ReservedConcurrency, message),
        RefusalReason.PoolLimitExceeded => new RouteResult.Throttled(ThrottleReasons.Concurrency, message),
        _ => new RouteResult.Failed(message),
    };

    private void ReleaseIdle()
    {
        var now = _time.GetTimestamp();
        foreach (var pool in _index.Pools.Values)
        {
            pool.ReleaseIdle(now, _idleRelease);
        }
    }

    private (LeasedEnvironments Pool, Acquisition Acquisition) Acquire(FunctionKey function)
    {
        while (true)
        {
            var pool = _index.Pools.GetOrAdd(function, _newPool);
            var acquisition = pool.Acquire();
            if (!acquisition.IsRetired)
            {
                return (pool, acquisition);
            }
        }
    }

    /// <summary>Waits for the queue to answer: an environment, or null when refused or when the deadline passes first.</summary>
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

        var pool = slot.Pool;
        pool.Return(slot, answer.Outcome switch
        {
            ShimOutcome.Completed or ShimOutcome.Rejected => ReturnKind.Answered,
            ShimOutcome.Busy => ReturnKind.Rest,
            _ => ReturnKind.Release,
        });
        if (answer.Outcome is ShimOutcome.Completed or ShimOutcome.Lost)
        {
            Ran(slot);
        }

        if (answer.Outcome == ShimOutcome.Lost)
        {
            LogLost(pool.Function.Namespace, pool.Function.Name, request.RequestId, slot.Environment.Pod, answer.Detail);
        }

        return answer;
    }

    /// <summary>The function ran (or may have) on <paramref name="slot"/>: counted as provisioned, or as spillover when it has provisioned environments.</summary>
    private void Ran(EnvironmentSlot slot)
    {
        var pool = slot.Pool;
        if (slot.Lease.Provisioned)
        {
            _metrics.RanProvisioned(pool);
        }
        else if (_catalog.ProvisionedConcurrency(pool.Function.Namespace, pool.Function.Name) > 0)
        {
            _metrics.SpilledOver(pool);
        }
    }
}
