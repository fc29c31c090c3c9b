using k8s;
using k8s.Models;

namespace Lamina.Operator.Api;

/// <summary>
/// An apply configuration for a Function's status subresource: only identity and status. A whole
/// Function would also claim spec fields for the operator's field manager, which would then
/// conflict with users' own server-side applies.
/// </summary>
[KubernetesEntity(Group = Function.KubeGroup, ApiVersion = Function.KubeApiVersion, Kind = Function.KubeKind, PluralName = Function.KubePluralName)]
public sealed class FunctionStatusApply : IKubernetesObject<V1ObjectMeta>
{
    /// <inheritdoc />
    public string ApiVersion { get; set; } = $"{Function.KubeGroup}/{Function.KubeApiVersion}";

    /// <inheritdoc />
    public string Kind { get; set; } = Function.KubeKind;

    /// <inheritdoc />
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The status to apply.</summary>
    public FunctionStatus? Status { get; set; }
}
