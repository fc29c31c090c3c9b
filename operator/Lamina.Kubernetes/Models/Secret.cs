using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>core/v1 Secret (values base64 in Data, or plain in StringData when writing).</summary>
public sealed class Secret : IKubernetesObject<Secret>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("", "v1", "secrets", "Secret");

    /// <inheritdoc />
    public static JsonTypeInfo<Secret> JsonTypeInfo => KubernetesJsonContext.Default.Secret;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Secret>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListSecret;

    public string? ApiVersion { get; set; } = Resource.ApiVersion;

    public string? Kind { get; set; } = Resource.Kind;

    public ObjectMeta Metadata { get; set; } = new();

    public IDictionary<string, string>? Data { get; set; }

    public IDictionary<string, string>? StringData { get; set; }

    public string? Type { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
