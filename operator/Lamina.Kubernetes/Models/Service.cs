using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>core/v1 Service.</summary>
public sealed class Service : IKubernetesObject<Service>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("", "v1", "services", "Service");

    /// <inheritdoc />
    public static JsonTypeInfo<Service> JsonTypeInfo => KubernetesJsonContext.Default.Service;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Service>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListService;

    public string? ApiVersion { get; set; } = Resource.ApiVersion;

    public string? Kind { get; set; } = Resource.Kind;

    public ObjectMeta Metadata { get; set; } = new();

    public ServiceSpec? Spec { get; set; }

    public ServiceStatus? Status { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
