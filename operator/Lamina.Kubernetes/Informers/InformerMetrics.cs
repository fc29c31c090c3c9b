using System.Diagnostics.Metrics;
using Lamina.Kubernetes.Client;

namespace Lamina.Kubernetes.Informers;

/// <summary>The informers' counters, tagged with the resource they watch.</summary>
internal sealed class InformerMetrics
{
    /// <summary>Used when no <see cref="IMeterFactory"/> is given (no dependency injection).</summary>
    private static readonly Meter SharedMeter = new(KubernetesMetricNames.MeterName);

    private readonly Counter<long> _watchRestarts;
    private readonly Counter<long> _relists;
    private readonly KeyValuePair<string, object?> _resource;

    public InformerMetrics(ResourceType resource, IMeterFactory? meterFactory)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var meter = meterFactory?.Create(KubernetesMetricNames.MeterName) ?? SharedMeter;
        _watchRestarts = meter.CreateCounter<long>(KubernetesMetricNames.WatchRestarts, description: "Watches that ended and were re-established.");
        _relists = meter.CreateCounter<long>(KubernetesMetricNames.Relists, description: "Full relists forced by an expired resourceVersion.");
        _resource = new(KubernetesMetricNames.ResourceTag, ResourceName(resource));
    }

    public static string ResourceName(ResourceType resource) =>
        resource.Group.Length == 0 ? resource.Plural : $"{resource.Plural}.{resource.Group}";

    public void WatchRestarted() => _watchRestarts.Add(1, _resource);

    public void Relisted() => _relists.Add(1, _resource);
}
