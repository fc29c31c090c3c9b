using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>apps/v1 Deployment.</summary>
public sealed class Deployment : KubernetesObject<Deployment>, IKubernetesObject<Deployment>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("apps", "v1", "deployments", "Deployment");

    /// <inheritdoc />
    public static JsonTypeInfo<Deployment> JsonTypeInfo => KubernetesJsonContext.Default.Deployment;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Deployment>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListDeployment;

    public DeploymentSpec? Spec { get; set; }

    public DeploymentStatus? Status { get; set; }
}
