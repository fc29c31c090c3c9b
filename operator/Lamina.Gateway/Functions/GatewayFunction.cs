using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Models;

namespace Lamina.Gateway.Functions;

/// <summary>
/// The gateway's view of a <c>lamina.dev/v1alpha1</c> Function: only what routing needs. The gateway
/// does not share the operator's API types, so each program can move at its own pace; unknown fields
/// are kept (and ignored) by the base class.
/// </summary>
public sealed class GatewayFunction : KubernetesObject<GatewayFunction>, IKubernetesObject<GatewayFunction>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("lamina.dev", "v1alpha1", "functions", "Function");

    /// <inheritdoc />
    public static JsonTypeInfo<GatewayFunction> JsonTypeInfo => GatewayJsonContext.Default.GatewayFunction;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<GatewayFunction>> ListJsonTypeInfo => GatewayJsonContext.Default.KubernetesListGatewayFunction;
}
