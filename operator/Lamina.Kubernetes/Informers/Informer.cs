using System.Diagnostics.Metrics;
using Lamina.Kubernetes.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lamina.Kubernetes.Informers;

/// <summary>
/// A cache of one resource kept current by list-then-watch, as client-go's shared informer: a
/// paginated list fills <see cref="Store"/>, a watch from the list's resourceVersion (with
/// bookmarks) keeps it current, and handlers hear of every change exactly once. A closed or
/// failed watch resumes from the last resourceVersion seen, with exponential backoff; an expired
/// one (410 Gone) relists and reconciles the store against the new list, so that nothing is lost
/// or delivered twice.
/// </summary>
public sealed partial class Informer<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>A watch that lasted this long, or delivered anything, proves the server healthy: the backoff resets.</summary>
    private static readonly TimeSpan HealthyWatchDuration = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long past the server-side watch timeout the informer waits before it assumes the
    /// connection is dead (a half-open TCP connection never closes by itself).
    /// </summary>
    private static readonly TimeSpan WatchDeadlineSlack = TimeSpan.FromSeconds(30);

    private readonly IKubernetesClient _client;
    private readonly InformerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly InformerMetrics _metrics;
    private readonly string _resource;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IInformerHandler<T>[] _handlers = [];
    private volatile string? _resourceVersion;
    private int _started;

    /// <summary>An informer of <typeparamref name="T"/>; nothing happens until <see cref="RunAsync"/>.</summary>
    public Informer(
        IKubernetesClient client,
        InformerOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<Informer<T>>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new InformerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PageSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.InitialBackoff, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBackoff, options.InitialBackoff, nameof(options));
        if (options.ResyncPeriod is { } resync)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(resync, TimeSpan.Zero, nameof(options));
        }

        if (options.WatchTimeout is { } watchTimeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(watchTimeout, TimeSpan.FromSeconds(1), nameof(options));
        }

        _client = client;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<Informer<T>>.Instance;
        _metrics = new InformerMetrics(ResourceType.Of<T>(), meterFactory);
        _resource = InformerMetrics.ResourceName(ResourceType.Of<T>());
    }

    /// <summary>The cache; complete once <see cref="HasSynced"/>.</summary>
    public InformerStore<T> Store { get; } = new();

    /// <summary>True once the first list is in the store and its adds were delivered.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion the store reflects (the last list's, then the last event's).</summary>
    public string? LastSyncResourceVersion => _resourceVersion;

    /// <summary>
    /// Adds a handler. One added after the first sync first receives an add for every cached
    /// object, so every handler sees the same history.
    /// </summary>
    public void AddHandler(IInformerHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
            if (HasSynced)
            {
                foreach (var item in Store.List())
                {
                    Deliver(handler, WatchEventType.Added, null, item);
                }
            }
        }
    }

    /// <summary>Adds a handler made of delegates; any may be null.</summary>
    public void AddHandler(Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null) =>
        AddHandler(new DelegateInformerHandler<T>(onAdd, onUpdate, onDelete));

    /// <summary>Completes when the first list is in the store.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken = default) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Lists and watches until <paramref name="cancellationToken"/> fires, then completes (without
    /// throwing). API failures are retried forever with backoff; they are logged, never thrown.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("an informer runs only once");
        }

        using var resync = _options.ResyncPeriod is { } period ? _timeProvider.CreateTimer(_ => Resync(), null, period, period) : null;
        var backoff = new ExponentialBackoff(_options.InitialBackoff, _options.MaxBackoff);
        var listed = false;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!listed)
                {
                    try
                    {
                        await ListAsync(cancellationToken).ConfigureAwait(false);
                        listed = true;
                    }
                    catch (Exception e) when (!IsStopping(e, cancellationToken))
                    {
                        var delay = backoff.Next();
                        LogListFailed(_resource, delay.TotalSeconds, e);
                        await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }

                var watch = await WatchAsync(cancellationToken).ConfigureAwait(false);
                _metrics.WatchRestarted();
                if (watch.Healthy)
                {
                    backoff.Reset();
                }

                if (watch.End == WatchEnd.Gone)
                {
                    _metrics.Relisted();
                    LogRelisting(_resource, watch.ResourceVersion, watch.Error?.Message);
                    listed = false;
                    // An expired version is routine after a long disconnect: relist at once, unless
                    // watches keep expiring at once (a server problem), which waits like any failure.
                    if (!watch.Healthy)
                    {
                        await Task.Delay(backoff.Next(), _timeProvider, cancellationToken).ConfigureAwait(false);
                    }
                }
                else if (watch.End == WatchEnd.Failed || !watch.Healthy)
                {
                    var delay = backoff.Next();
                    LogWatchFailed(_resource, watch.ResourceVersion, watch.Events, delay.TotalSeconds, watch.Error);
                    await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    LogWatchClosed(_resource, watch.Events, watch.ResourceVersion);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end.
        }
    }

    private static bool IsStopping(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && cancellationToken.IsCancellationRequested;

    /// <summary>Lists every page, then reconciles the store with the result in one step.</summary>
    private async Task ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? resourceVersion = null;
        string? continueToken = null;
        do
        {
            var page = await _client.ListAsync<T>(_options.Namespace, new ListOptions
            {
                Limit = _options.PageSize,
                Continue = continueToken,
                LabelSelector = _options.LabelSelector,
                FieldSelector = _options.FieldSelector,
            }, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
            // Every page of one list is a snapshot at the first page's version.
            resourceVersion ??= page.Metadata.ResourceVersion;
            continueToken = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(continueToken));

        lock (_gate)
        {
            Reconcile(items);
            _resourceVersion = resourceVersion;
            _synced.TrySetResult();
        }

        LogListed(_resource, items.Count, resourceVersion);
    }

    /// <summary>
    /// Brings the store in line with a fresh list and tells handlers exactly what changed while the
    /// informer was not watching: adds for new objects, updates for a changed resourceVersion,
    /// deletes for objects the list no longer has. Unchanged objects produce nothing.
    /// </summary>
    private void Reconcile(List<T> items)
    {
        var seen = new HashSet<string>(items.Count, StringComparer.Ordinal);
        foreach (var item in items)
        {
            _options.Transform?.Invoke(item);
            var key = ObjectKey.Of(item);
            seen.Add(key);
            if (!Store.TryGet(key, out var old))
            {
                Store.Set(key, item);
                DeliverAll(WatchEventType.Added, null, item);
            }
            else if (old.Metadata.Uid is { } oldUid && item.Metadata.Uid is { } newUid && oldUid != newUid)
            {
                // Deleted and re-created under the same name while we were away: two different objects.
                Store.Set(key, item);
                DeliverAll(WatchEventType.Deleted, null, old);
                DeliverAll(WatchEventType.Added, null, item);
            }
            else if (old.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                Store.Set(key, item);
                DeliverAll(WatchEventType.Modified, old, item);
            }
        }

        foreach (var key in Store.Keys())
        {
            if (!seen.Contains(key) && Store.TryRemove(key, out var gone))
            {
                DeliverAll(WatchEventType.Deleted, null, gone);
            }
        }
    }

    private async Task<WatchResult> WatchAsync(CancellationToken cancellationToken)
    {
        var from = _resourceVersion;
        var started = _timeProvider.GetTimestamp();
        var events = 0;
        var options = new WatchOptions
        {
            ResourceVersion = from,
            AllowBookmarks = true,
            Timeout = _options.WatchTimeout,
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
        };
        using var deadline = _options.WatchTimeout is { } timeout ? new CancellationTokenSource(timeout + WatchDeadlineSlack, _timeProvider) : null;
        using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var end = WatchEnd.Closed;
        Exception? error = null;
        try
        {
            await foreach (var item in _client.WatchAsync<T>(_options.Namespace, options, linked?.Token ?? cancellationToken).ConfigureAwait(false))
            {
                events++;
                Apply(item);
            }
        }
        catch (KubernetesApiException e) when (e.IsGone)
        {
            end = WatchEnd.Gone;
            error = e;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The client-side deadline: the server never closed the watch, so the connection is presumed dead.
        }
        catch (Exception e) when (!IsStopping(e, cancellationToken))
        {
            end = WatchEnd.Failed;
            error = e;
        }

        var healthy = events > 0 || _timeProvider.GetElapsedTime(started) >= HealthyWatchDuration;
        return new WatchResult(end, healthy, events, _resourceVersion ?? from, error);
    }

    /// <summary>One watch event into the store and out to the handlers, as one step.</summary>
    private void Apply(WatchEvent<T> change)
    {
        var item = change.Object;
        _options.Transform?.Invoke(item);
        lock (_gate)
        {
            if (change.Type != WatchEventType.Bookmark)
            {
                var key = ObjectKey.Of(item);
                if (change.Type == WatchEventType.Deleted)
                {
                    // A delete of something never seen is not news to the handlers.
                    if (Store.TryRemove(key, out _))
                    {
                        DeliverAll(WatchEventType.Deleted, null, item);
                    }
                }
                else if (Store.TryGet(key, out var old))
                {
                    Store.Set(key, item);
                    DeliverAll(WatchEventType.Modified, old, item);
                }
                else
                {
                    Store.Set(key, item);
                    DeliverAll(WatchEventType.Added, null, item);
                }
            }

            if (item.Metadata?.ResourceVersion is { Length: > 0 } version)
            {
                _resourceVersion = version;
            }
        }
    }

    private void Resync()
    {
        lock (_gate)
        {
            if (!HasSynced)
            {
                return;
            }

            foreach (var item in Store.List())
            {
                DeliverAll(WatchEventType.Modified, item, item);
            }
        }
    }

    private void DeliverAll(WatchEventType type, T? old, T item)
    {
        foreach (var handler in _handlers)
        {
            Deliver(handler, type, old, item);
        }
    }

    /// <summary>A throwing handler is logged and skipped: it must not stop the others or the informer.</summary>
    private void Deliver(IInformerHandler<T> handler, WatchEventType type, T? old, T item)
    {
        try
        {
            switch (type)
            {
                case WatchEventType.Added:
                    handler.OnAdd(item);
                    break;
                case WatchEventType.Modified:
                    handler.OnUpdate(old ?? item, item);
                    break;
                case WatchEventType.Deleted:
                    handler.OnDelete(item);
                    break;
            }
        }
        catch (Exception e)
        {
            LogHandlerFailed(_resource, type, ObjectKey.Of(item), e);
        }
    }

    private enum WatchEnd
    {
        /// <summary>The server closed the stream (or the client-side deadline passed).</summary>
        Closed,

        /// <summary>The stream failed: connection, HTTP or decoding error.</summary>
        Failed,

        /// <summary>The resourceVersion expired (410): relist.</summary>
        Gone,
    }

    private sealed record WatchResult(WatchEnd End, bool Healthy, int Events, string? ResourceVersion, Exception? Error);
}
