using k8s.Models;
using Lamina.Contracts.Shim;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// The function's Service: a headless one (no cluster IP) that names the function's environments
/// and their invoke and admin ports. The gateway routes each invocation to one chosen environment,
/// never through a load-balanced IP, and a cluster IP per function would exhaust the service range
/// of a cluster with many functions (the operator benchmark hit that at about 250).
/// </summary>
internal static class ServiceBuilder
{
    /// <summary>Builds the desired Service for <paramref name="function"/>.</summary>
    public static V1Service Build(Function function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new V1Service
        {
            ApiVersion = V1Service.KubeApiVersion,
            Kind = V1Service.KubeKind,
            Metadata = new V1ObjectMeta
            {
                Name = Names.Service(function),
                NamespaceProperty = function.Metadata.NamespaceProperty,
                Labels = Names.Labels(function),
                OwnerReferences = OwnerReferences.ControlledBy(function),
            },
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                ClusterIP = "None",
                Selector = Names.Selector(function),
                Ports =
                [
                    new V1ServicePort { Name = "invoke", Protocol = "TCP", Port = ShimPod.InvokePort, TargetPort = "invoke" },
                    new V1ServicePort { Name = "admin", Protocol = "TCP", Port = ShimPod.AdminPort, TargetPort = "admin" },
                ],
            },
        };
    }
}
