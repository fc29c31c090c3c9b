using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>core/v1 Namespace.</summary>
public sealed class Namespace : KubernetesObject<Namespace>, IKubernetesObject<Namespace>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("", "v1", "namespaces", "Namespace", Namespaced: false);

    /// <inheritdoc />
    public static JsonTypeInfo<Namespace> JsonTypeInfo => KubernetesJsonContext.Default.Namespace;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Namespace>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListNamespace;

}
