using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>core/v1 Pod.</summary>
public sealed class Pod : IKubernetesObject<Pod>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("", "v1", "pods", "Pod");

    /// <inheritdoc />
    public static JsonTypeInfo<Pod> JsonTypeInfo => KubernetesJsonContext.Default.Pod;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Pod>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListPod;

    public string? ApiVersion { get; set; } = Resource.ApiVersion;

    public string? Kind { get; set; } = Resource.Kind;

    public ObjectMeta Metadata { get; set; } = new();

    public PodSpec? Spec { get; set; }

    public PodStatus? Status { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
