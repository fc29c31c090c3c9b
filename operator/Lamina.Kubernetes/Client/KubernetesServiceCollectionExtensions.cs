using System.Diagnostics.Metrics;
using k8s;
using Lamina.Kubernetes.Access;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lamina.Kubernetes.Client;

/// <summary>One <see cref="IKubernetes"/> per process, and the <see cref="IKubernetesClient"/> over it.</summary>
public static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// Registers the library's client for <paramref name="configuration"/>, or, when null, for the
    /// library's default search (<c>KUBECONFIG</c>, then <c>~/.kube/config</c>, then the pod's service
    /// account): kubeconfig contexts, client certificates, tokens, exec credential plugins and
    /// in-cluster tokens that rotate are all the library's. Every request is counted and timed by
    /// <see cref="KubernetesRequestMetrics"/>.
    /// </summary>
    public static IServiceCollection AddKubernetesClient(this IServiceCollection services, KubernetesClientConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IKubernetes>(sp => new k8s.Kubernetes(
            configuration ?? KubernetesClientConfiguration.BuildDefaultConfig(),
            new KubernetesRequestMetrics(sp.GetService<IMeterFactory>())));
        services.TryAddSingleton<IKubernetesClient>(sp => new KubernetesObjectClient(sp.GetRequiredService<IKubernetes>()));
        return services;
    }
}
