using System.Buffers;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Lamina.Kubernetes.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lamina.Kubernetes.Events;

/// <summary>
/// Records core/v1 Events as client-go's recorder does: calls return at once and never throw; one
/// background loop writes the Events in order. The same event (object, type, reason, message)
/// again within <see cref="EventRecorderOptions.AggregationWindow"/> bumps <c>count</c> and
/// <c>lastTimestamp</c> of the Event already written (a merge patch) instead of adding one. Events
/// that cannot be written (queue full, API error) are logged and counted in
/// <c>lamina_kubernetes_events_failed_total{reason}</c>.
/// </summary>
public sealed partial class KubernetesEventRecorder : IEventRecorder, IAsyncDisposable
{
    /// <summary>The meter of the failure counter.</summary>
    public const string MeterName = "Lamina.Kubernetes.Events";

    /// <summary>DNS-subdomain names, which Event names are, stop at 253 characters.</summary>
    private const int MaxNameLength = 253;

    /// <summary>
    /// The limit events.k8s.io/v1 puts on a note. core/v1 sets none, but a long message is a bug
    /// (a dumped object, a stack trace) that would bloat etcd and every <c>kubectl describe</c>.
    /// </summary>
    private const int MaxMessageLength = 1024;

    /// <summary>How long shutdown waits for queued Events to be written before dropping them.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly IKubernetesClient _client;
    private readonly EventRecorderOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<KubernetesEventRecorder> _logger;
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _failed;
    private readonly Channel<PendingEvent> _queue;
    private readonly EventCache _cache;
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _writer;
    private long _lastNameNanos;
    private volatile bool _closed;

    /// <summary>A recorder writing through <paramref name="client"/>; its loop runs until disposed.</summary>
    public KubernetesEventRecorder(IKubernetesClient client, IOptions<EventRecorderOptions> options, TimeProvider timeProvider,
        ILogger<KubernetesEventRecorder> logger, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        ArgumentException.ThrowIfNullOrEmpty(_options.Component, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.CacheSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.QueueCapacity, 1, nameof(options));
        _client = client;
        _timeProvider = timeProvider;
        _logger = logger;
        var meter = meterFactory?.Create(MeterName) ?? (_ownedMeter = new Meter(MeterName));
        _failed = meter.CreateCounter<long>("lamina_kubernetes_events_failed_total",
            description: "Kubernetes Events the operator could not write, by reason: queue_full, api_error, invalid (a bad call), shutdown (recorded while or after stopping).");
        // Wait mode only so that TryWrite reports a full queue; writers never wait.
        _queue = Channel.CreateBounded<PendingEvent>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _cache = new EventCache(_options.CacheSize);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <inheritdoc />
    public void Normal(IKubernetesObject<V1ObjectMeta> about, string reason, string message) => Record(about, EventTypes.Normal, reason, message);

    /// <inheritdoc />
    public void Warning(IKubernetesObject<V1ObjectMeta> about, string reason, string message) => Record(about, EventTypes.Warning, reason, message);

    /// <summary>Completes once every event recorded before the call has been written or given up on.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new PendingEvent(null, flushed), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return; // disposed: nothing more will be written
        }

        await flushed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what is queued (for at most a few seconds), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        if (_queue.Writer.TryComplete())
        {
            try
            {
                await _writer.WaitAsync(DrainTimeout, _timeProvider).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await _abort.CancelAsync().ConfigureAwait(false);
                await _writer.ConfigureAwait(false);
            }

            _abort.Dispose();
            _ownedMeter?.Dispose();
        }
    }

    private void Record(IKubernetesObject<V1ObjectMeta> about, string type, string reason, string message)
    {
        try
        {
            var occurrence = new EventOccurrence(Reference(about), type, reason, Truncate(message ?? ""), _timeProvider.GetUtcNow());
            if (!_queue.Writer.TryWrite(new PendingEvent(occurrence, null)))
            {
                if (_closed)
                {
                    _failed.Add(1, new KeyValuePair<string, object?>("reason", "shutdown"));
                    return;
                }

                _failed.Add(1, new KeyValuePair<string, object?>("reason", "queue_full"));
                Log.Dropped(_logger, occurrence.Regarding.Kind, occurrence.Regarding.NamespaceProperty, occurrence.Regarding.Name, reason);
            }
        }
        catch (Exception e)
        {
            // An Event is information about reconciling, never a reason for it to fail.
            _failed.Add(1, new KeyValuePair<string, object?>("reason", "invalid"));
            Log.RecordFailed(_logger, e);
        }
    }

    private async Task WriteLoopAsync()
    {
        await foreach (var pending in _queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (pending.Flushed is { } flushed)
            {
                flushed.TrySetResult();
            }
            else if (_abort.IsCancellationRequested)
            {
                _failed.Add(1, new KeyValuePair<string, object?>("reason", "shutdown"));
            }
            else
            {
                await WriteAsync(pending.Occurrence!).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteAsync(EventOccurrence occurrence)
    {
        var regarding = occurrence.Regarding;
        var key = new EventKey(regarding.Kind, regarding.NamespaceProperty, regarding.Name, regarding.Uid, occurrence.Type, occurrence.Reason, occurrence.Message);
        try
        {
            if (_cache.TryGet(key, out var seen) && occurrence.At - seen.LastTimestamp < _options.AggregationWindow)
            {
                try
                {
                    await _client.MergePatchAsync<Corev1Event>(seen.Namespace, seen.Name, CountPatch(seen.Count + 1, occurrence.At), cancellationToken: _abort.Token).ConfigureAwait(false);
                    _cache.Set(key, seen with { Count = seen.Count + 1, LastTimestamp = occurrence.At });
                    return;
                }
                catch (KubernetesApiException e) when (e.IsNotFound)
                {
                    // The API server deletes Events after an hour (--event-ttl), or someone did: start anew.
                }
            }

            var created = await _client.CreateAsync(NewEvent(occurrence), _abort.Token).ConfigureAwait(false);
            _cache.Set(key, new AggregatedEvent(created.Metadata.NamespaceProperty!, created.Metadata.Name!, 1, occurrence.At));
        }
        catch (Exception e)
        {
            _failed.Add(1, new KeyValuePair<string, object?>("reason", "api_error"));
            Log.WriteFailed(_logger, regarding.Kind, regarding.NamespaceProperty, regarding.Name, occurrence.Reason, e);
        }
    }

    private Corev1Event NewEvent(EventOccurrence occurrence)
    {
        var regarding = occurrence.Regarding;
        return new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = EventName(regarding.Name ?? "unnamed", occurrence.At),
                // Events about cluster-scoped objects live in default, as client-go puts them.
                NamespaceProperty = regarding.NamespaceProperty ?? "default",
            },
            InvolvedObject = regarding,
            Type = occurrence.Type,
            Reason = occurrence.Reason,
            Message = occurrence.Message,
            Source = new V1EventSource { Component = _options.Component, Host = _options.Host },
            FirstTimestamp = occurrence.At.UtcDateTime,
            LastTimestamp = occurrence.At.UtcDateTime,
            Count = 1,
            ReportingComponent = _options.Component,
            ReportingInstance = _options.Instance,
        };
    }

    /// <summary>client-go's <c>name.hex(unixNanos)</c>, made unique per recorder when the clock stands still.</summary>
    private string EventName(string objectName, DateTimeOffset at)
    {
        var nanos = (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        nanos = Math.Max(nanos, _lastNameNanos + 1);
        _lastNameNanos = nanos;
        var suffix = "." + nanos.ToString("x", CultureInfo.InvariantCulture);
        var prefix = objectName.Length + suffix.Length > MaxNameLength ? objectName[..(MaxNameLength - suffix.Length)] : objectName;
        return prefix + suffix;
    }

    private static string CountPatch(int count, DateTimeOffset at)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("count", count);
            // metav1.Time: whole seconds in UTC, the form the API server stores.
            json.WriteString("lastTimestamp", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static V1ObjectReference Reference(IKubernetesObject<V1ObjectMeta> about)
    {
        ArgumentNullException.ThrowIfNull(about);
        var meta = about.Metadata;
        return new V1ObjectReference
        {
            // Objects from a list carry no type metadata: the model's resource says it.
            ApiVersion = about.ApiVersion ?? ResourceType.Of(about.GetType()).ApiVersion,
            Kind = about.Kind ?? ResourceType.Of(about.GetType()).Kind,
            NamespaceProperty = meta.NamespaceProperty,
            Name = meta.Name,
            Uid = meta.Uid,
            ResourceVersion = meta.ResourceVersion,
        };
    }

    private static string Truncate(string message) =>
        message.Length <= MaxMessageLength ? message : string.Concat(message.AsSpan(0, MaxMessageLength - 1), "…");
}
