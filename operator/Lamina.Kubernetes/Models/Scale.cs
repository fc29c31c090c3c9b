using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>autoscaling/v1 Scale: the scale subresource.</summary>
public sealed class Scale : KubernetesObject<Scale>, IKubernetesObject<Scale>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("autoscaling", "v1", "scales", "Scale");

    /// <inheritdoc />
    public static JsonTypeInfo<Scale> JsonTypeInfo => KubernetesJsonContext.Default.Scale;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Scale>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListScale;

    public ScaleSpec? Spec { get; set; }

    public ScaleStatus? Status { get; set; }
}
