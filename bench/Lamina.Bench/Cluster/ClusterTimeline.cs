using System.Collections.Concurrent;
using System.Diagnostics;
using k8s.Models;
using Lamina.Bench.Reporting;
using Lamina.Kubernetes.Client;

namespace Lamina.Bench.Cluster;

/// <summary>
/// A function's environments over time for the load scenarios, sampled once a second from the API:
/// desired = the replicas its Deployments ask for (<c>-fn</c> and <c>-pc</c>: the scale the concurrency
/// controller writes, provisioned included), ready = their ready replicas (the kubelet's readiness, which
/// can lag the controller's own probe of the shim by a probe period: a function may answer before its
/// first environment shows as ready here); with the rate the load
/// offered at that moment. Also every on-demand pod seen (label <c>lamina.dev/init-type=on-demand</c>,
/// operator <c>Names.InitTypeLabel</c>), so that a scenario can count environments started beyond
/// its provisioned concurrency.
/// </summary>
internal sealed class ClusterTimeline : IAsyncDisposable
{
    /// <summary>The operator's labels (Names.FunctionLabel, Names.InitTypeLabel, Names.OnDemandInitType), which the bench cannot reach.</summary>
    private const string FunctionLabel = "lamina.dev/function";
    private const string InitTypeLabel = "lamina.dev/init-type";
    private const string OnDemandInitType = "on-demand";

    private readonly IKubernetesClient _client;
    private readonly string _namespace;
    private readonly string _function;
    private readonly Func<TimeSpan, double> _offeredAt;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<TimelinePoint> _points = new();
    private readonly ConcurrentDictionary<string, byte> _onDemandPods = new();
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly Task _sampling;

    private ClusterTimeline(IKubernetesClient client, string ns, string function, Func<TimeSpan, double> offeredAt)
    {
        _client = client;
        _namespace = ns;
        _function = function;
        _offeredAt = offeredAt;
        _sampling = Task.Run(SampleAsync);
    }

    /// <summary>Starts sampling now (second 0); <paramref name="offeredAt"/> gives the offered rate at a time since then.</summary>
    public static ClusterTimeline Start(IKubernetesClient client, string ns, string function, Func<TimeSpan, double> offeredAt) =>
        new(client, ns, function, offeredAt);

    /// <summary>The samples so far, in order.</summary>
    public IReadOnlyList<TimelinePoint> Points => [.. _points];

    /// <summary>Names of every on-demand pod of the function seen so far.</summary>
    public IReadOnlyCollection<string> OnDemandPods => [.. _onDemandPods.Keys];

    /// <summary>Takes one more sample (the state at the end) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _sampling;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        await SampleOnceAsync(CancellationToken.None);
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            await SampleOnceAsync(_stop.Token);
        }
        while (await timer.WaitForNextTickAsync(_stop.Token));
    }

    private async Task SampleOnceAsync(CancellationToken cancellationToken)
    {
        var at = Stopwatch.GetElapsedTime(_start);
        var selector = new ListOptions { LabelSelector = $"{FunctionLabel}={_function}" };
        try
        {
            var deployments = await _client.ListAsync<V1Deployment>(_namespace, selector, cancellationToken);
            var pods = await _client.ListAsync<V1Pod>(_namespace, selector, cancellationToken);
            var desired = deployments.Items.Sum(d => d.Spec.Replicas ?? 0);
            var ready = deployments.Items.Sum(d => d.Status?.ReadyReplicas ?? 0);
            foreach (var pod in pods.Items)
            {
                if (pod.Metadata.Labels?.TryGetValue(InitTypeLabel, out var initType) == true && initType == OnDemandInitType)
                {
                    _onDemandPods.TryAdd(pod.Metadata.Name, 0);
                }
            }

            _points.Enqueue(new TimelinePoint(Math.Round(at.TotalSeconds, 3), desired, ready, _offeredAt(at)));
        }
        catch (Exception e) when (e is KubernetesApiException or HttpRequestException)
        {
            // One missed sample is a gap in the plot, not a failed run.
        }
    }
}
