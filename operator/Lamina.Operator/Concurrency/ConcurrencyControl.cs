using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Lamina.Kubernetes.Client;
using Lamina.Operator.Access;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Operator.Reconciliation;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// The concurrency controller as one piece inside the operator: its state, the environment tracker
/// (a pod informer handler), the limits sync (on Function changes), the scale writer, the metrics, and
/// the reconciler's view (<see cref="IScaleSource"/>). <see cref="LeadAsync"/> runs while the operator
/// leads; as a standby it keeps its environments current and refuses gateways.
/// </summary>
internal sealed class ConcurrencyControl : IScaleSource, IDisposable
{
    /// <summary>
    /// The most often a function's status is rewritten for the controller's figures (busy changes with
    /// every invocation): a burst of changes is one status write per function per interval.
    /// </summary>
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(2);

    private readonly ConcurrencyOptions _options;
    private readonly TimeProvider _time;
    private readonly ScaleWriter _writer;
    private readonly Action<FunctionId> _reconcile;
    private readonly ConcurrentDictionary<FunctionId, ITimer> _statusScheduled = new();
    private readonly Action _tokensChanged;

    /// <summary>How often the gateways' token Secret is read again: a rotation reaches the function pods within this.</summary>
    private static readonly TimeSpan TokenRefresh = TimeSpan.FromSeconds(10);

    public ConcurrencyControl(
        IKubernetesClient client,
        IObjectLister<Function> functions,
        IObjectLister<V1Deployment> deployments,
        IPodLister pods,
        ConcurrencyOptions options,
        TimeProvider time,
        ILoggerFactory loggers,
        IMeterFactory meters,
        Action<FunctionId> reconcile,
        InvokeTokenSecret tokens,
        Action tokensChanged)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options;
        _time = time;
        _reconcile = reconcile;
        Tokens = tokens;
        _tokensChanged = tokensChanged;
        _writer = new ScaleWriter(client, deployments, loggers.CreateLogger<ScaleWriter>());
        ConcurrencyMetrics? metrics = null;
        State = new ConcurrencyState(options, time, _writer.Want, StatusChanged, (function, decision) => metrics?.Decided(function, decision));
        metrics = new ConcurrencyMetrics(meters, State, options);
        Tracker = new EnvironmentTracker(State, pods, options, time, loggers.CreateLogger<EnvironmentTracker>());
        Limits = new FunctionLimitsSync(State, functions, options);
    }

    public ConcurrencyState State { get; }

    /// <summary>The gateways' credential (the gRPC service checks it; function pods get its hashes).</summary>
    public InvokeTokenSecret Tokens { get; }

    /// <summary>Add to the function pod informer (after the pod index).</summary>
    public EnvironmentTracker Tracker { get; }

    /// <summary>Call <see cref="FunctionLimitsSync.Sync"/> on every Function change.</summary>
    public FunctionLimitsSync Limits { get; }

    /// <summary>Scale writes made (for tests and the bench).</summary>
    public int ScaleWrites => _writer.Writes;

    public FunctionScale? Get(string ns, string name) => State.Scale(new FunctionId(ns, name));

    /// <summary>Runs the controller while <paramref name="leading"/> lasts: grants, ticks, scale writes.</summary>
    public async Task LeadAsync(CancellationToken leading)
    {
        State.StartLeading();
        Limits.Reset();
        Limits.Sync();
        var writer = _writer.RunAsync(leading);
        try
        {
            using var ticks = new PeriodicTimer(_options.Tick, _time);
            var lastTokenRead = _time.GetTimestamp();
            while (await ticks.WaitForNextTickAsync(leading).ConfigureAwait(false))
            {
                State.Tick();
                _writer.Repair();
                if (_time.GetElapsedTime(lastTokenRead) >= TokenRefresh)
                {
                    lastTokenRead = _time.GetTimestamp();
                    await RefreshTokensAsync(leading).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
            // Leadership ended.
        }
        finally
        {
            State.StopLeading();
            _writer.Clear();
            await writer.ConfigureAwait(false);
        }
    }

    private async Task RefreshTokensAsync(CancellationToken leading)
    {
        try
        {
            if (await Tokens.RefreshAsync(leading).ConfigureAwait(false))
            {
                _tokensChanged();
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !leading.IsCancellationRequested)
        {
            // The tokens read before stay in force; the next refresh tries again.
            _ = error;
        }
    }

    public void Dispose()
    {
        Tracker.Dispose();
        foreach (var timer in _statusScheduled.Values)
        {
            timer.Dispose();
        }
    }

    private void StatusChanged(FunctionId function)
    {
        if (_statusScheduled.ContainsKey(function))
        {
            return;
        }

        var timer = _time.CreateTimer(
            state =>
            {
                var id = (FunctionId)state!;
                if (_statusScheduled.TryRemove(id, out var fired))
                {
                    fired.Dispose();
                }

                _reconcile(id);
            },
            function,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        if (_statusScheduled.TryAdd(function, timer))
        {
            timer.Change(StatusInterval, Timeout.InfiniteTimeSpan);
        }
        else
        {
            timer.Dispose();
        }
    }
}
