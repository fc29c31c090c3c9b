using k8s.Models;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>Controller owner references: set in the builders, so garbage collection removes children with their Function.</summary>
internal static class OwnerReferences
{
    /// <summary>The Function as the controlling owner.</summary>
    public static List<V1OwnerReference> ControlledBy(Function function) =>
    [
        new V1OwnerReference
        {
            ApiVersion = $"{Function.KubeGroup}/{Function.KubeApiVersion}",
            Kind = Function.KubeKind,
            Name = function.Metadata.Name,
            Uid = function.Metadata.Uid,
            Controller = true,
            BlockOwnerDeletion = true,
        },
    ];

    /// <summary>True when <paramref name="meta"/> names <paramref name="function"/> (by uid) as its controller.</summary>
    public static bool IsControlledBy(V1ObjectMeta meta, Function function) =>
        meta.OwnerReferences?.Any(o => o.Controller == true && o.Uid == function.Metadata.Uid) == true;
}
