using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>coordination.k8s.io/v1 Lease: leader election.</summary>
public sealed class Lease : IKubernetesObject<Lease>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("coordination.k8s.io", "v1", "leases", "Lease");

    /// <inheritdoc />
    public static JsonTypeInfo<Lease> JsonTypeInfo => KubernetesJsonContext.Default.Lease;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Lease>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListLease;

    public string? ApiVersion { get; set; } = Resource.ApiVersion;

    public string? Kind { get; set; } = Resource.Kind;

    public ObjectMeta Metadata { get; set; } = new();

    public LeaseSpec? Spec { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
