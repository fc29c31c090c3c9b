using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.Models;
using Lamina.Kubernetes.Client;

namespace Lamina.Bench.Cluster;

/// <summary>
/// When each pod of a namespace reached each phase, on the bench's clock (<see cref="Stopwatch"/>
/// timestamps when the watch event arrived: the API's own timestamps have one-second resolution):
/// created and scheduled; and when each Deployment's desired replicas first
/// rose above zero (the scale the controller wrote). The runtime's initialisation is not in the API:
/// <see cref="ProbeReadyAsync"/> polls the shim's <c>/readyz</c> on the pod IP every 10 ms, as the
/// controller does (every 50 ms).
/// </summary>
internal sealed class PodTimeline : IAsyncDisposable
{
    private const int AdminPort = 9090;

    private readonly IKubernetesClient _client;
    private readonly string _namespace;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, PodPhases> _pods = new();
    private readonly ConcurrentDictionary<string, long> _scaledUp = new();
    private readonly Task _podWatch;
    private readonly Task _deploymentWatch;

    private PodTimeline(IKubernetesClient client, string ns)
    {
        _client = client;
        _namespace = ns;
        _podWatch = WatchPodsAsync();
        _deploymentWatch = WatchDeploymentsAsync();
    }

    public static PodTimeline Start(IKubernetesClient client, string ns) => new(client, ns);

    /// <summary>The phases of every pod seen so far whose name starts with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<PodPhases> PodsOf(string prefix) => _pods.Values.Where(p => p.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    /// <summary>The phases of pod <paramref name="name"/>.</summary>
    public PodPhases Pod(string name) => _pods[name];

    /// <summary>When Deployment <paramref name="name"/>'s replicas first rose above zero after the last <see cref="Forget"/>.</summary>
    public long? ScaledUp(string name) => _scaledUp.TryGetValue(name, out var at) ? at : null;

    /// <summary>Forgets a Deployment's scale-up, so the next one is recorded.</summary>
    public void Forget(string deployment) => _scaledUp.TryRemove(deployment, out _);

    /// <summary>
    /// Waits for the pod's IP, then polls its shim's readiness every 10 ms: when the shim first answered
    /// at all (its process is up: the container started, as the kubelet reports it only later and in
    /// whole seconds) and when it first answered 200 (the runtime initialised).
    /// </summary>
    public async Task<(long Answering, long Ready)> ProbeReadyAsync(HttpClient http, string pod, TimeSpan timeout)
    {
        long? answering = null;
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_pods.TryGetValue(pod, out var phases) && phases.Ip is { } ip)
            {
                try
                {
                    using var probe = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                    using var response = await http.GetAsync(new Uri($"http://{ip}:{AdminPort}/readyz"), probe.Token);
                    var now = Stopwatch.GetTimestamp();
                    answering ??= now;
                    if (response.IsSuccessStatusCode)
                    {
                        return (answering.Value, now);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    // Not listening yet.
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }

        throw new TimeoutException($"bench: pod {pod}'s shim was not ready within {timeout.TotalSeconds:F0} s");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var watch in new[] { _podWatch, _deploymentWatch })
        {
            try
            {
                await watch;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        _stop.Dispose();
    }

    private async Task WatchPodsAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var list = await _client.ListAsync<V1Pod>(_namespace, cancellationToken: _stop.Token);
            foreach (var pod in list.Items)
            {
                Observe(pod);
            }

            try
            {
                await foreach (var change in _client.WatchAsync<V1Pod>(_namespace, new WatchOptions { ResourceVersion = list.Metadata.ResourceVersion }, _stop.Token))
                {
                    if (change.Type is WatchEventType.Added or WatchEventType.Modified)
                    {
                        Observe(change.Object);
                    }
                }
            }
            catch (KubernetesApiException)
            {
                // Expired: list again.
            }
        }
    }

    private async Task WatchDeploymentsAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var list = await _client.ListAsync<V1Deployment>(_namespace, cancellationToken: _stop.Token);
            try
            {
                await foreach (var change in _client.WatchAsync<V1Deployment>(_namespace, new WatchOptions { ResourceVersion = list.Metadata.ResourceVersion }, _stop.Token))
                {
                    if (change.Type is WatchEventType.Modified && change.Object.Spec.Replicas > 0)
                    {
                        _scaledUp.TryAdd(change.Object.Metadata.Name, Stopwatch.GetTimestamp());
                    }
                }
            }
            catch (KubernetesApiException)
            {
                // Expired: list again.
            }
        }
    }

    private void Observe(V1Pod pod)
    {
        var now = Stopwatch.GetTimestamp();
        var phases = _pods.GetOrAdd(pod.Metadata.Name, name => new PodPhases(name, now));
        if (phases.Scheduled is null && !string.IsNullOrEmpty(pod.Spec.NodeName))
        {
            phases.Scheduled = now;
        }

        if (phases.Ip is null && !string.IsNullOrEmpty(pod.Status?.PodIP))
        {
            phases.Ip = pod.Status.PodIP;
        }
    }
}
