using System.Diagnostics.Metrics;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Events;
using Lamina.Kubernetes.Informers;
using Lamina.Kubernetes.LeaderElection;
using k8s;
using k8s.Models;
using Lamina.Kubernetes.Queue;
using Lamina.Operator.Access;
using Lamina.Operator.Api;
using Lamina.Operator.Concurrency;
using Lamina.Operator.Reconciliation;
using Microsoft.Extensions.Options;

namespace Lamina.Operator.Hosting;

/// <summary>
/// Watches Functions, the Deployments and Services the operator owns and their pods, queues the Functions
/// whose state may have changed, and reconciles them on a few workers, but only while this
/// replica leads: standbys keep warm caches and take over within a lease duration.
/// </summary>
internal sealed partial class FunctionReconcileLoop : BackgroundService
{
    /// <summary>Only children the operator created are watched.</summary>
    private const string OwnedSelector = Names.ManagedByLabel + "=" + Names.ManagedByValue;

    /// <summary>Only the pods of function Deployments (the pod template's labels), each naming its function.</summary>
    private const string FunctionPodSelector = OwnedSelector + "," + Names.ComponentLabel + "=function," + Names.FunctionLabel;

    /// <summary>Only ConfigMaps that hold function code: a cluster's other ConfigMaps are neither cached nor watched.</summary>
    private const string CodeConfigMapSelector = FunctionPackages.CodeLabel + "=" + FunctionPackages.CodeLabelValue;

    /// <summary>How often a standby reads the token Secret: as often as the leader does (ConcurrencyControl).</summary>
    private static readonly TimeSpan StandbyTokenRead = TimeSpan.FromSeconds(10);

    private readonly IKubernetesClient _client;
    private readonly IOptions<LeaderElectionOptions> _leaderOptions;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<FunctionReconcileLoop> _logger;
    private readonly OperatorOptions _options;
    private readonly Informer<Function> _functions;
    private readonly Informer<V1Deployment> _deployments;
    private readonly Informer<V1Service> _services;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1ConfigMap> _configMaps;
    private readonly WorkQueue<string> _queue;
    private readonly FunctionReconciler _reconciler;
    private readonly ReconcileMetrics _metrics;
    private readonly ConcurrencyControl _concurrency;

    // Cancelled when the host begins to stop, before Kestrel waits for open connections (see StepDown).
    private readonly CancellationTokenSource _stepDown = new();
    private volatile bool _leading;

    public FunctionReconcileLoop(
        IKubernetesClient client,
        IEventRecorder events,
        IOptions<OperatorOptions> options,
        IOptions<LeaderElectionOptions> leaderOptions,
        IOptions<ConcurrencyOptions> concurrencyOptions,
        TimeProvider time,
        ILoggerFactory loggers,
        IMeterFactory meters)
    {
        _client = client;
        _leaderOptions = leaderOptions;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<FunctionReconcileLoop>();
        _options = options.Value;
        var scope = string.IsNullOrEmpty(_options.WatchNamespace) ? null : _options.WatchNamespace;
        _functions = new Informer<Function>(client, new InformerOptions { Namespace = scope, ResyncPeriod = _options.ResyncPeriod, Transform = InformerTransforms.StripManagedFields }, time, loggers.CreateLogger<Informer<Function>>(), meters);
        _deployments = new Informer<V1Deployment>(client, new InformerOptions { Namespace = scope, LabelSelector = OwnedSelector, Transform = InformerTransforms.StripManagedFields }, time, loggers.CreateLogger<Informer<V1Deployment>>(), meters);
        _services = new Informer<V1Service>(client, new InformerOptions { Namespace = scope, LabelSelector = OwnedSelector, Transform = InformerTransforms.StripManagedFields }, time, loggers.CreateLogger<Informer<V1Service>>(), meters);
        _pods = new Informer<V1Pod>(client, new InformerOptions { Namespace = scope, LabelSelector = FunctionPodSelector, Transform = InformerTransforms.StripManagedFields }, time, loggers.CreateLogger<Informer<V1Pod>>(), meters);
        _configMaps = new Informer<V1ConfigMap>(client, new InformerOptions { Namespace = scope, LabelSelector = CodeConfigMapSelector, Transform = InformerTransforms.StripManagedFields }, time, loggers.CreateLogger<Informer<V1ConfigMap>>(), meters);
        var podIndex = new FunctionPodIndex();
        _queue = new WorkQueue<string>(time);
        _metrics = new ReconcileMetrics(meters, () => _queue.Count, () => _leading);
        var defaults = new OperatorDefaults
        {
            ShimImage = _options.ShimImage,
            ImagePullPolicy = _options.ImagePullPolicy,
            Region = _options.Region,
            AccountId = _options.AccountId,
            Runtimes = _options.ManagedRuntimes(),
            CodeEndpoint = string.IsNullOrEmpty(_options.CodeEndpoint) ? null : _options.CodeEndpoint.TrimEnd('/'),
        };
        var functionLister = new InformerLister<Function>(_functions.Store);
        var deploymentLister = new InformerLister<V1Deployment>(_deployments.Store);
        _concurrency = new ConcurrencyControl(
            client,
            functionLister,
            deploymentLister,
            podIndex,
            concurrencyOptions.Value,
            time,
            loggers,
            meters,
            function => _queue.Add(ObjectKey.Of(function.Namespace, function.Name)),
            new InvokeTokenSecret(client, leaderOptions.Value.Namespace, events, meters, loggers.CreateLogger<InvokeTokenSecret>()),
            TokensChanged);
        _reconciler = new FunctionReconciler(
            client,
            functionLister,
            deploymentLister,
            new InformerLister<V1Service>(_services.Store),
            new InformerLister<V1ConfigMap>(_configMaps.Store),
            podIndex,
            _concurrency,
            concurrencyOptions.Value,
            events,
            defaults,
            time,
            loggers.CreateLogger<FunctionReconciler>());

        _functions.AddHandler(onAdd: FunctionAppeared, onUpdate: FunctionChanged, onDelete: FunctionGone);
        _deployments.AddHandler(onAdd: EnqueueOwner, onUpdate: (_, child) => EnqueueOwner(child), onDelete: EnqueueOwner);
        _services.AddHandler(onAdd: EnqueueOwner, onUpdate: (_, child) => EnqueueOwner(child), onDelete: EnqueueOwner);
        // A GitOps update of a code ConfigMap is a new zip: its functions roll onto the new digest.
        _configMaps.AddHandler(onAdd: EnqueueCodeUsers, onUpdate: (_, configMap) => EnqueueCodeUsers(configMap), onDelete: EnqueueCodeUsers);
        // The index first: handlers run in order, so a queued reconcile reads the pod that queued it.
        _pods.AddHandler(podIndex);
        _pods.AddHandler(_concurrency.Tracker);
        _pods.AddHandler(onAdd: EnqueueFunction, onUpdate: (_, pod) => EnqueueFunction(pod), onDelete: EnqueueFunction);
    }

    /// <summary>True once every cache has listed: the operator is ready (leading or standing by).</summary>
    public bool Synced { get; private set; }

    /// <summary>
    /// The host is stopping: stop leading now and release the Lease. Called from ApplicationStopping,
    /// which fires before the web server stops; this hosted service's own stop comes only after the
    /// server has waited for its connections, and the gateways' gRPC streams never end by themselves,
    /// so that wait took the whole shutdown timeout (30 s, the pod's grace period): the process was
    /// SIGKILLed with the Lease held, and the standby waited for it to expire, 47 s in all (issue 19).
    /// Stepping down also ends those streams.
    /// </summary>
    public void StepDown() => _stepDown.Cancel();

    public override void Dispose()
    {
        _stepDown.Dispose();
        base.Dispose();
    }

    /// <summary>True while this replica reconciles.</summary>
    public bool Leading => _leading;

    /// <summary>The concurrency controller (its gRPC service serves <see cref="ConcurrencyControl.State"/>).</summary>
    public ConcurrencyControl Concurrency => _concurrency;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var informers = Task.WhenAll(
            _functions.RunAsync(stoppingToken), _deployments.RunAsync(stoppingToken), _services.RunAsync(stoppingToken), _pods.RunAsync(stoppingToken), _configMaps.RunAsync(stoppingToken));
        await Task.WhenAll(
            _functions.WaitForSyncAsync(stoppingToken),
            _deployments.WaitForSyncAsync(stoppingToken),
            _services.WaitForSyncAsync(stoppingToken),
            _pods.WaitForSyncAsync(stoppingToken),
            _configMaps.WaitForSyncAsync(stoppingToken)).ConfigureAwait(false);
        Synced = true;
        var functions = _functions.Store.Keys().Count;
        LogSynced(functions);

        var learning = LearnTokensWhileStandingByAsync(stoppingToken);
        var elector = new LeaderElector(
            _client,
            _leaderOptions,
            new LeaderElectionCallbacks { OnStartedLeading = LeadAsync, OnNewLeader = leader => LogNewLeader(leader) },
            _time,
            _loggers.CreateLogger<LeaderElector>());
        using var campaigning = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _stepDown.Token);
        while (!campaigning.IsCancellationRequested)
        {
            // Returns when leadership ends; campaign again with warm caches.
            await elector.RunAsync(campaigning.Token).ConfigureAwait(false);
        }

        _queue.ShutDown();
        await learning.ConfigureAwait(false);
        await informers.ConfigureAwait(false);
    }

    /// <summary>
    /// A standby reads the token Secret too (read only), so that a failover while the Secret is broken
    /// still finds the last good tokens: the new leader takes the gateways that hold them, and rolls
    /// no pod. The leader's own reads (ConcurrencyControl) report and create; this one does neither.
    /// </summary>
    private async Task LearnTokensWhileStandingByAsync(CancellationToken stoppingToken)
    {
        using var ticks = new PeriodicTimer(StandbyTokenRead, _time);
        try
        {
            do
            {
                if (_leading)
                {
                    continue;
                }

                try
                {
                    await _concurrency.Tokens.LearnAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // The tokens learnt before stay; the next tick tries again (a standby's read is best effort).
                    _ = error;
                }
            }
            while (await ticks.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task LeadAsync(CancellationToken leading)
    {
        _leading = true;
        try
        {
            // The gateways' token first: every function pod the workers write carries its hashes.
            await _concurrency.Tokens.RefreshAsync(leading).ConfigureAwait(false);
            _reconciler.InvokeTokenHashes = _concurrency.Tokens.Hashes;
            foreach (var function in _functions.Store.List())
            {
                _queue.Add(ObjectKey.Of(function));
            }

            var workers = new Task[Math.Max(1, _options.Workers) + 1];
            for (var i = 0; i < workers.Length - 1; i++)
            {
                workers[i] = WorkAsync(leading);
            }

            workers[^1] = _concurrency.LeadAsync(leading);

            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        finally
        {
            _leading = false;
            _concurrency.Tokens.StandDown();
        }
    }

    private async Task WorkAsync(CancellationToken leading)
    {
        while (!leading.IsCancellationRequested)
        {
            string key;
            try
            {
                var (next, shutDown) = await _queue.GetAsync(leading).ConfigureAwait(false);
                if (shutDown)
                {
                    return;
                }

                key = next;
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
                return;
            }

            var started = _time.GetTimestamp();
            // Any failure, a bug included, retries this function with backoff; the others go on.
            try
            {
                var slash = key.IndexOf('/', StringComparison.Ordinal);
                await _reconciler.ReconcileAsync(key[..slash], key[(slash + 1)..], leading).ConfigureAwait(false);
                _queue.Forget(key);
                _metrics.Reconciled(success: true, _time.GetElapsedTime(started));
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
                _queue.Add(key); // not done: whoever leads next picks it up
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                _metrics.Reconciled(success: false, _time.GetElapsedTime(started));
                LogReconcileFailed(key, _queue.NumRequeues(key), error);
                _queue.AddRateLimited(key);
            }
            finally
            {
                _queue.Done(key);
            }
        }
    }

    /// <summary>
    /// The token Secret's good tokens changed: every function's pods get the new hashes (a rolling
    /// update). A broken Secret never calls this (InvokeTokenSecret keeps the last good hashes).
    /// </summary>
    private void TokensChanged()
    {
        _reconciler.InvokeTokenHashes = _concurrency.Tokens.Hashes;
        foreach (var function in _functions.Store.List())
        {
            _queue.Add(ObjectKey.Of(function));
        }
    }

    private void FunctionAppeared(Function function)
    {
        _queue.Add(ObjectKey.Of(function));
        EnqueueReferrers(function);
        LimitsChanged();
    }

    private void FunctionChanged(Function before, Function after)
    {
        // Our own status writes come back as updates; only spec changes (a new generation) or a
        // resync (same object delivered again) need another reconcile.
        if (before.Metadata.Generation != after.Metadata.Generation || before.Metadata.ResourceVersion == after.Metadata.ResourceVersion)
        {
            _queue.Add(ObjectKey.Of(after));
            LimitsChanged();
        }
    }

    private void FunctionGone(Function function)
    {
        EnqueueReferrers(function);
        LimitsChanged();
    }

    /// <summary>
    /// One Function's reservation can change every other's admission to the pool: the controller reads
    /// them all again, and the Functions whose admission changed are reconciled (their Ready condition).
    /// </summary>
    private void LimitsChanged()
    {
        if (!Synced)
        {
            return; // the first Sync runs when leadership starts, over the full cache
        }

        foreach (var changed in _concurrency.Limits.Sync())
        {
            _queue.Add(ObjectKey.Of(changed.Namespace, changed.Name));
        }
    }

    /// <summary>Functions that name <paramref name="target"/> as an async destination are re-validated when it comes or goes.</summary>
    private void EnqueueReferrers(Function target)
    {
        foreach (var function in _functions.Store.List())
        {
            if (function.Metadata.NamespaceProperty == target.Metadata.NamespaceProperty
                && (function.Spec.Async?.OnSuccess?.Function == target.Metadata.Name || function.Spec.Async?.OnFailure?.Function == target.Metadata.Name))
            {
                _queue.Add(ObjectKey.Of(function));
            }
        }
    }

    /// <summary>The Functions of <paramref name="configMap"/>'s namespace whose code is in it (a scan, as for destinations: code ConfigMaps change rarely).</summary>
    private void EnqueueCodeUsers(V1ConfigMap configMap)
    {
        foreach (var function in _functions.Store.List())
        {
            if (function.Metadata.NamespaceProperty == configMap.Metadata.NamespaceProperty && function.Spec.Code?.ConfigMap?.Name == configMap.Metadata.Name)
            {
                _queue.Add(ObjectKey.Of(function));
            }
        }
    }

    /// <summary>
    /// A pod's owner is a ReplicaSet, not the Function: its function label names the Function. Every
    /// change queues it (a pod's status changes often); a reconcile that finds nothing new writes nothing.
    /// </summary>
    private void EnqueueFunction(V1Pod pod)
    {
        if (FunctionPodIndex.FunctionKey(pod) is { } key)
        {
            _queue.Add(key);
        }
    }

    private void EnqueueOwner(IKubernetesObject<V1ObjectMeta> child)
    {
        foreach (var owner in child.Metadata.OwnerReferences ?? [])
        {
            if (owner is { Controller: true, Kind: "Function", Name: { } name } && owner.ApiVersion?.StartsWith(Function.KubeGroup + "/", StringComparison.Ordinal) == true)
            {
                _queue.Add(ObjectKey.Of(child.Metadata.NamespaceProperty, name));
            }
        }
    }
}
