using System.Diagnostics.Metrics;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Informers;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Routing;

/// <summary>
/// Watches Lamina's function pods (core/v1, served by every Kubernetes from 1.20 on; EndpointSlices
/// reached v1 only in 1.21) in all namespaces, or in each configured one, and feeds every change to
/// <see cref="EnvironmentRegistry"/>. Needs list and watch on pods in those namespaces.
/// </summary>
internal sealed partial class FunctionPodWatcher : BackgroundService
{
    private readonly Informer<V1Pod>[] _informers;
    private readonly EnvironmentRegistry _registry;
    private readonly ILogger _logger;
    private readonly string _scope;

    public FunctionPodWatcher(
        IKubernetesClient client,
        EnvironmentRegistry registry,
        IOptions<RoutingOptions> options,
        TimeProvider time,
        ILoggerFactory loggers,
        IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        string?[] namespaces = options.Value.Namespaces.Count == 0 ? [null] : [.. options.Value.Namespaces.Distinct(StringComparer.Ordinal)];
        _informers = new Informer<V1Pod>[namespaces.Length];
        for (var i = 0; i < namespaces.Length; i++)
        {
            _informers[i] = new Informer<V1Pod>(
                client,
                new InformerOptions { Namespace = namespaces[i], LabelSelector = FunctionPodLabels.Selector, Transform = InformerTransforms.StripManagedFields },
                time,
                loggers.CreateLogger<Informer<V1Pod>>(),
                meterFactory);
            _informers[i].AddHandler(registry);
        }

        _registry = registry;
        _logger = loggers.CreateLogger<FunctionPodWatcher>();
        _scope = namespaces[0] is null ? "all namespaces" : string.Join(", ", namespaces);
    }

    /// <summary>True once every informer has listed: the registry knows every ready pod (for /readyz).</summary>
    public bool Synced
    {
        get
        {
            foreach (var informer in _informers)
            {
                if (!informer.HasSynced)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Completes when <see cref="Synced"/> becomes true.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken)
    {
        var waits = new Task[_informers.Length];
        for (var i = 0; i < _informers.Length; i++)
        {
            waits[i] = _informers[i].WaitForSyncAsync(cancellationToken);
        }

        return Task.WhenAll(waits);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runs = new Task[_informers.Length];
        for (var i = 0; i < _informers.Length; i++)
        {
            runs[i] = _informers[i].RunAsync(stoppingToken);
        }

        try
        {
            await WaitForSyncAsync(stoppingToken).ConfigureAwait(false);
            LogSynced(_scope, _registry.Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before the first list completed.
        }

        await Task.WhenAll(runs).ConfigureAwait(false);
    }
}
