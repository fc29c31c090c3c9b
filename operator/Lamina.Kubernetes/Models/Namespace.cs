using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>core/v1 Namespace.</summary>
public sealed class Namespace : IKubernetesObject<Namespace>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("", "v1", "namespaces", "Namespace", Namespaced: false);

    /// <inheritdoc />
    public static JsonTypeInfo<Namespace> JsonTypeInfo => KubernetesJsonContext.Default.Namespace;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Namespace>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListNamespace;

    public string? ApiVersion { get; set; } = Resource.ApiVersion;

    public string? Kind { get; set; } = Resource.Kind;

    public ObjectMeta Metadata { get; set; } = new();

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
