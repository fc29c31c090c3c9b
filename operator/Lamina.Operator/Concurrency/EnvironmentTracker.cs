using System.Globalization;
using k8s.Models;
using Lamina.Contracts.Shim;
using Lamina.Kubernetes.Informers;
using Lamina.Operator.Reconciliation;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// Turns function pods into environments for <see cref="ConcurrencyState"/>. An environment can take
/// work as soon as its shim says so: a pod with an IP that the kubelet does not call ready yet is asked
/// directly (<c>GET /readyz</c> on the shim's admin port every <see cref="ConcurrencyOptions.ProbeInterval"/>),
/// so a cold start does not also wait for the kubelet's probe period and the status round trip. It also
/// reads the pods into the function's failure (bad image, crash loop), with the operator's own rules
/// (<see cref="EnvironmentHealth"/>), so that waiting invocations are answered instead of timing out.
/// </summary>
internal sealed partial class EnvironmentTracker : IInformerHandler<V1Pod>, IDisposable
{
    private readonly ConcurrencyState _state;
    private readonly IPodLister _pods;
    private readonly ConcurrencyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly Lock _gate = new();

    /// <summary>
    /// How long a starting shim holds a readiness probe until it is ready (<c>/readyz?wait=</c>): the
    /// controller learns of readiness the moment the runtime is initialised, not up to a probe
    /// interval later, with one request per this long once the shim listens.
    /// </summary>
    private static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(5);

    /// <summary>Pods whose shim answered ready, by uid and container restart count (a restart starts over).</summary>
    private readonly Dictionary<string, int> _probedReady = new(StringComparer.Ordinal);

    /// <summary>Pods being probed now, by uid.</summary>
    private readonly Dictionary<string, CancellationTokenSource> _probing = new(StringComparer.Ordinal);

    /// <summary>Pods the kubelet has called ready at least once since their last restart.</summary>
    private readonly Dictionary<string, int> _kubeletReady = new(StringComparer.Ordinal);

    private readonly CancellationTokenSource _stopping = new();

    public EnvironmentTracker(ConcurrencyState state, IPodLister pods, ConcurrencyOptions options, TimeProvider time, ILogger<EnvironmentTracker> logger, HttpMessageHandler? handler = null)
    {
        _state = state;
        _pods = pods;
        _options = options;
        _time = time;
        _logger = logger;
        // A probe is a long poll held by the shim for up to ReadyWait; a shim that has not answered a
        // second after that is not ready. Connecting is bounded apart, so that a pod IP that drops
        // packets costs a second, not the whole poll; pod IPs are dialled directly, whatever HTTP_PROXY says.
        var timeout = ReadyWait + TimeSpan.FromSeconds(1);
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1), UseProxy = false }) { Timeout = timeout }
            : new HttpClient(handler, disposeHandler: false) { Timeout = timeout };
    }

    public void OnAdd(V1Pod item) => Apply(item);

    public void OnUpdate(V1Pod oldItem, V1Pod newItem) => Apply(newItem);

    public void OnDelete(V1Pod item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (FunctionOf(item) is not { } function)
        {
            return;
        }

        var uid = item.Metadata.Uid ?? string.Empty;
        lock (_gate)
        {
            StopProbe(uid);
            _probedReady.Remove(uid);
            _kubeletReady.Remove(uid);
        }

        _state.RemoveEnvironment(function, item.Metadata.Name);
        UpdateFailure(function);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        lock (_gate)
        {
            foreach (var probe in _probing.Values)
            {
                probe.Cancel();
            }

            _probing.Clear();
        }

        _http.Dispose();
        _stopping.Dispose();
    }

    private void Apply(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (FunctionOf(pod) is not { } function)
        {
            return;
        }

        var uid = pod.Metadata.Uid ?? string.Empty;
        var restarts = Restarts(pod);
        var terminating = pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase is "Succeeded" or "Failed";
        var ip = pod.Status?.PodIP;
        var address = string.IsNullOrEmpty(ip) ? null : string.Create(CultureInfo.InvariantCulture, $"{ip}:{InvokePort(pod)}");
        var kubeletReady = IsReady(pod);
        bool serving;
        lock (_gate)
        {
            if (kubeletReady)
            {
                _kubeletReady[uid] = restarts;
            }

            var probed = _probedReady.TryGetValue(uid, out var probedAt) && probedAt == restarts;
            var kubeletWasReady = _kubeletReady.TryGetValue(uid, out var readyAt) && readyAt == restarts;
            // Before the kubelet's first ready, the shim's own answer counts; after it, the kubelet's
            // (it notices a shim that stopped answering, a drain, a restart).
            serving = !terminating && address is not null && (kubeletReady || (probed && !kubeletWasReady));
            if (!terminating && address is not null && !kubeletReady && !probed && !kubeletWasReady && !_probing.ContainsKey(uid))
            {
                var probe = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                _probing[uid] = probe;
                _ = ProbeAsync(pod, function, uid, restarts, ip!, probe.Token);
            }
            else if (terminating || kubeletReady || address is null)
            {
                StopProbe(uid);
            }
        }

        var provisioned = pod.Metadata.Labels?.TryGetValue(Names.InitTypeLabel, out var initType) == true && initType == Names.ProvisionedInitType;
        _state.SetEnvironment(function, new EnvironmentInfo(pod.Metadata.Name, uid, address, provisioned, serving, terminating));
        UpdateFailure(function);
    }

    private async Task ProbeAsync(V1Pod pod, FunctionId function, string uid, int restarts, string ip, CancellationToken cancellationToken)
    {
        var uri = new Uri(string.Create(CultureInfo.InvariantCulture,
            $"http://{ip}:{ShimPod.AdminPort}{ShimPod.ReadyPath}?{ShimPod.ReadyWaitParameter}={(int)ReadyWait.TotalMilliseconds}"));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var asked = _time.GetTimestamp();
                try
                {
                    using var response = await _http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        lock (_gate)
                        {
                            _probedReady[uid] = restarts;
                            StopProbe(uid);
                        }

                        LogProbedReady(function.Namespace, function.Name, pod.Metadata.Name);
                        // The pod as the informer last saw it may be newer than the one this probe started from.
                        Apply(CurrentPod(function, pod.Metadata.Name) ?? pod);
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet: the runtime is still starting.
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The client's timeout.
                }

                // A shim that held the poll may be asked again at once; one that answered sooner (not
                // listening yet, or a shim from before the long poll) waits out the probe interval.
                var remaining = _options.ProbeInterval - _time.GetElapsedTime(asked);
                if (remaining > TimeSpan.Zero)
                {
                    await Task.Delay(remaining, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The pod turned ready, terminating or went away, or the operator stops.
        }
    }

    private V1Pod? CurrentPod(FunctionId function, string name)
    {
        foreach (var pod in _pods.ListForFunction(function.Namespace, function.Name))
        {
            if (pod.Metadata.Name == name)
            {
                return pod;
            }
        }

        return null;
    }

    private void StopProbe(string uid)
    {
        if (_probing.Remove(uid, out var probe))
        {
            probe.Cancel();
            probe.Dispose();
        }
    }

    private void UpdateFailure(FunctionId function)
    {
        var (status, reason, message) = EnvironmentHealth.Of(_pods.ListForFunction(function.Namespace, function.Name));
        _state.SetFailure(function, status == FunctionConditions.False ? $"{reason}: {message}" : null);
    }

    private static FunctionId? FunctionOf(V1Pod pod) =>
        pod.Metadata is { NamespaceProperty: { } ns, Labels: { } labels } && labels.TryGetValue(Names.FunctionLabel, out var name) && name.Length > 0
            ? new FunctionId(ns, name)
            : null;

    private static bool IsReady(V1Pod pod)
    {
        foreach (var condition in pod.Status?.Conditions ?? [])
        {
            if (condition.Type == "Ready")
            {
                return condition.Status == "True";
            }
        }

        return false;
    }

    private static int Restarts(V1Pod pod)
    {
        foreach (var container in pod.Status?.ContainerStatuses ?? [])
        {
            if (container.Name == "function")
            {
                return container.RestartCount;
            }
        }

        return 0;
    }

    private static int InvokePort(V1Pod pod)
    {
        foreach (var container in pod.Spec?.Containers ?? [])
        {
            foreach (var port in container.Ports ?? [])
            {
                if (port.Name == "invoke")
                {
                    return port.ContainerPort;
                }
            }
        }

        return ShimPod.InvokePort;
    }

    [LoggerMessage(1, LogLevel.Debug, "{Namespace}.{Function}: pod {Pod}'s shim answered ready before the kubelet said so")]
    private partial void LogProbedReady(string @namespace, string function, string pod);
}
