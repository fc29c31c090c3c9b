using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>coordination.k8s.io/v1 Lease: leader election.</summary>
public sealed class Lease : KubernetesObject<Lease>, IKubernetesObject<Lease>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("coordination.k8s.io", "v1", "leases", "Lease");

    /// <inheritdoc />
    public static JsonTypeInfo<Lease> JsonTypeInfo => KubernetesJsonContext.Default.Lease;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Lease>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListLease;

    public LeaseSpec? Spec { get; set; }
}
