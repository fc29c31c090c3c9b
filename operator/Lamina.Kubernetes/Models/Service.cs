using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>core/v1 Service.</summary>
public sealed class Service : KubernetesObject<Service>, IKubernetesObject<Service>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("", "v1", "services", "Service");

    /// <inheritdoc />
    public static JsonTypeInfo<Service> JsonTypeInfo => KubernetesJsonContext.Default.Service;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Service>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListService;

    public ServiceSpec? Spec { get; set; }

    public ServiceStatus? Status { get; set; }
}
