using Lamina.Kubernetes.Models;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>Controller owner references: set in the builders, so garbage collection removes children with their Function.</summary>
internal static class OwnerReferences
{
    /// <summary>The Function as the controlling owner.</summary>
    public static List<OwnerReference> ControlledBy(Function function) =>
    [
        new OwnerReference
        {
            ApiVersion = Function.Resource.ApiVersion,
            Kind = Function.Resource.Kind,
            Name = function.Metadata.Name,
            Uid = function.Metadata.Uid,
            Controller = true,
            BlockOwnerDeletion = true,
        },
    ];

    /// <summary>True when <paramref name="meta"/> names <paramref name="function"/> (by uid) as its controller.</summary>
    public static bool IsControlledBy(ObjectMeta meta, Function function) =>
        meta.OwnerReferences?.Exists(o => o.Controller == true && o.Uid == function.Metadata.Uid) == true;
}
