using Lamina.Kubernetes.Models;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>The function's Service: its environments' invoke and admin ports behind one name.</summary>
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
