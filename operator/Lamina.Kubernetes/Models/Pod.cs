using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>core/v1 Pod.</summary>
public sealed class Pod : KubernetesObject<Pod>, IKubernetesObject<Pod>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("", "v1", "pods", "Pod");

    /// <inheritdoc />
    public static JsonTypeInfo<Pod> JsonTypeInfo => KubernetesJsonContext.Default.Pod;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Pod>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListPod;

    public PodSpec? Spec { get; set; }

    public PodStatus? Status { get; set; }
}
