using k8s;
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
    /// in-cluster tokens that rotate are all the library's.
    /// </summary>
    public static IServiceCollection AddKubernetesClient(this IServiceCollection services, KubernetesClientConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IKubernetes>(_ => new k8s.Kubernetes(configuration ?? KubernetesClientConfiguration.BuildDefaultConfig()));
        services.TryAddSingleton<IKubernetesClient>(sp => new KubernetesObjectClient(sp.GetRequiredService<IKubernetes>()));
        return services;
    }
}
