using k8s;
using k8s.Models;
using Lamina.Kubernetes.Informers;

namespace Lamina.Gateway.Hosting;

/// <summary>Runs an informer for the host's lifetime; readiness waits for its first list.</summary>
internal sealed class InformerRunner<T>(Informer<T> informer) : BackgroundService
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public bool Synced => informer.HasSynced;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => informer.RunAsync(stoppingToken);
}
