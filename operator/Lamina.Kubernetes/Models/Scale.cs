using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>autoscaling/v1 Scale: the scale subresource.</summary>
public sealed class Scale : IKubernetesObject<Scale>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("autoscaling", "v1", "scales", "Scale");

    /// <inheritdoc />
    public static JsonTypeInfo<Scale> JsonTypeInfo => KubernetesJsonContext.Default.Scale;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Scale>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListScale;

    public string? ApiVersion { get; set; } = Resource.ApiVersion;

    public string? Kind { get; set; } = Resource.Kind;

    public ObjectMeta Metadata { get; set; } = new();

    public ScaleSpec? Spec { get; set; }

    public ScaleStatus? Status { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
