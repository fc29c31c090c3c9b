using Lamina.Kubernetes.Models;
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
    public static Service Build(Function function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new Service
        {
            Metadata = new ObjectMeta
            {
                Name = Names.Service(function),
                Namespace = function.Metadata.Namespace,
                Labels = Names.Labels(function),
                OwnerReferences = OwnerReferences.ControlledBy(function),
            },
            Spec = new ServiceSpec
            {
                Type = "ClusterIP",
                ClusterIP = "None",
                Selector = Names.Selector(function),
                Ports =
                [
                    new ServicePort { Name = "invoke", Protocol = "TCP", Port = ShimContract.InvokePort, TargetPort = "invoke" },
                    new ServicePort { Name = "admin", Protocol = "TCP", Port = ShimContract.AdminPort, TargetPort = "admin" },
                ],
            },
        };
    }
}
