using Lamina.Gateway.ConcurrencyClient;
using Lamina.Kubernetes.Access;

namespace Lamina.Gateway.Worker;

/// <summary>
/// Every Kubernetes call a worker makes, as RBAC rules: the Helm chart's worker Roles are checked
/// against this list. What the gateway needs less the access keys: a worker authenticates nobody.
/// </summary>
internal static class WorkerAccess
{
    public static IReadOnlyList<AccessRule> Rules { get; } =
    [
        // The Function catalog (each event's async settings and destinations): an informer over every namespace.
        new("lamina.dev", "functions", ["list", "watch"]),

        // The controller's address and the invoke token, in the operator's namespace, by name.
        new("coordination.k8s.io", "leases", ["get"], AccessScope.Installation, [ConcurrencyClientOptions.DefaultLeaseName]),
        new("", "secrets", ["get"], AccessScope.Installation, [GatewayTokenRefresher.SecretName]),
    ];
}
