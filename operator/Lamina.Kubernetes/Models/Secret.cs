using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>core/v1 Secret (values base64 in Data, or plain in StringData when writing).</summary>
public sealed class Secret : KubernetesObject<Secret>, IKubernetesObject<Secret>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("", "v1", "secrets", "Secret");

    /// <inheritdoc />
    public static JsonTypeInfo<Secret> JsonTypeInfo => KubernetesJsonContext.Default.Secret;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Secret>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListSecret;

    public IDictionary<string, string>? Data { get; set; }

    public IDictionary<string, string>? StringData { get; set; }

    public string? Type { get; set; }
}
