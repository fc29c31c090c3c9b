using Lamina.Gateway.ConcurrencyClient;
using Lamina.Kubernetes.Access;

namespace Lamina.Gateway.Hosting;

/// <summary>
/// Every Kubernetes call the gateway makes, as RBAC rules: the Helm chart's gateway Roles are checked
/// against this list. The gateway never lists pods or touches Deployments: environments come from the
/// concurrency controller; the code endpoint reads one pod, the one a caller's token is bound to.
/// </summary>
internal static class GatewayAccess
{
    public static IReadOnlyList<AccessRule> Rules { get; } =
    [
        // The Function catalog: an informer over every namespace.
        new("lamina.dev", "functions", ["list", "watch"]),

        // Access keys: an informer over the labelled Secrets of the access-key namespace.
        new("", "secrets", ["list", "watch"], AccessScope.AccessKeys),

        // The controller's address and the invoke token, in the operator's namespace, by name.
        new("coordination.k8s.io", "leases", ["get"], AccessScope.Installation, [ConcurrencyClientOptions.DefaultLeaseName]),
        new("", "secrets", ["get"], AccessScope.Installation, [GatewayTokenRefresher.SecretName]),

        // The code endpoint (docs/code-endpoint.md): who a function pod's token belongs to, then that
        // pod, where function pods live (the operator's watched namespace, or all).
        new("authentication.k8s.io", "tokenreviews", ["create"], AccessScope.Cluster),
        new("", "pods", ["get"]),
    ];
}
