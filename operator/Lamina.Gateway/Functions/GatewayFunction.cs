using k8s;
using k8s.Models;

namespace Lamina.Gateway.Functions;

/// <summary>
/// The gateway's view of a <c>lamina.dev/v1alpha1</c> Function: only what it needs (its metadata,
/// its provisioned concurrency for the spillover metric, its async settings for Event invocations). The gateway does not share the
/// operator's API types, so each program can move at its own pace; the fields it does not name are
/// ignored when read.
/// </summary>
[KubernetesEntity(Group = "lamina.dev", ApiVersion = "v1alpha1", Kind = "Function", PluralName = "functions")]
public sealed class GatewayFunction : IKubernetesObject<V1ObjectMeta>
{
    /// <inheritdoc />
    public string ApiVersion { get; set; } = "lamina.dev/v1alpha1";

    /// <inheritdoc />
    public string Kind { get; set; } = "Function";

    /// <inheritdoc />
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The part of the spec the gateway reads.</summary>
    public GatewayFunctionSpec? Spec { get; set; }
}
