using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>apps/v1 Deployment.</summary>
public sealed class Deployment : IKubernetesObject<Deployment>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("apps", "v1", "deployments", "Deployment");

    /// <inheritdoc />
    public static JsonTypeInfo<Deployment> JsonTypeInfo => KubernetesJsonContext.Default.Deployment;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Deployment>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListDeployment;

    public string? ApiVersion { get; set; } = Resource.ApiVersion;

    public string? Kind { get; set; } = Resource.Kind;

    public ObjectMeta Metadata { get; set; } = new();

    public DeploymentSpec? Spec { get; set; }

    public DeploymentStatus? Status { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
