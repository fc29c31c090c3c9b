using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Models;

namespace Lamina.Operator.Api;

/// <summary>
/// An apply configuration for a Function's status subresource: only identity and status. A whole
/// Function would also claim spec fields for the operator's field manager, which would then
/// conflict with users' own server-side applies.
/// </summary>
public sealed class FunctionStatusApply : KubernetesObject<FunctionStatusApply>, IKubernetesObject<FunctionStatusApply>
{
    /// <inheritdoc />
    public static ResourceType Resource => Function.Resource;

    /// <inheritdoc />
    public static JsonTypeInfo<FunctionStatusApply> JsonTypeInfo => OperatorJsonContext.Default.FunctionStatusApply;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<FunctionStatusApply>> ListJsonTypeInfo => OperatorJsonContext.Default.KubernetesListFunctionStatusApply;

    /// <summary>The status to apply.</summary>
    public FunctionStatus? Status { get; set; }
}
