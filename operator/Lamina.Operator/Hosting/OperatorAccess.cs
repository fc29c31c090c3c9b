using Lamina.Kubernetes.Access;
using Lamina.Operator.Access;

namespace Lamina.Operator.Hosting;

/// <summary>
/// Every Kubernetes call the operator and its concurrency controller make, as RBAC rules: the Helm
/// chart's operator Roles are checked against this list, and the request metrics against the chart.
/// </summary>
internal static class OperatorAccess
{
    public static IReadOnlyList<AccessRule> Rules { get; } =
    [
        // The Function informer, and the status the reconciler applies (server-side apply: patch).
        new("lamina.dev", "functions", ["list", "watch"]),
        new("lamina.dev", "functions/status", ["patch"]),

        // What each Function owns: informers, server-side apply (a PATCH, which RBAC checks as create
        // when the object does not exist yet), deletion of what is no longer wanted; the concurrency
        // controller writes the replica count through the scale subresource.
        new("apps", "deployments", ["list", "watch", "create", "patch", "delete"]),
        new("apps", "deployments/scale", ["patch"]),
        new("", "services", ["list", "watch", "create", "patch", "delete"]),

        // The children's owner references block the Function's deletion until they are gone, which
        // clusters with the OwnerReferencesPermissionEnforcement admission plugin allow only to
        // whoever may update the owner's finalizers.
        new("lamina.dev", "functions/finalizers", ["update"]),

        // Function pods: which environments exist and where (the controller probes their shims).
        new("", "pods", ["list", "watch"]),

        // The ConfigMaps labelled lamina.dev/code=true (an informer: a GitOps update of a function's zip
        // rolls its pods). RBAC cannot limit a list by label: this would let the operator read any ConfigMap
        // of the watched namespaces, and it asks for (and caches) only the labelled ones.
        new("", "configmaps", ["list", "watch"]),

        // Events on Functions, aggregated like client-go's recorder (a repeat patches the count).
        new("", "events", ["create", "patch"]),

        // Leader election: create cannot be limited by name, reading and renewing can.
        new("coordination.k8s.io", "leases", ["create"], AccessScope.Installation),
        new("coordination.k8s.io", "leases", ["get", "update"], AccessScope.Installation, [OperatorOptions.DefaultLeaseName]),

        // The invoke token: created by the leader when missing, read on every refresh.
        new("", "secrets", ["create"], AccessScope.Installation),
        new("", "secrets", ["get"], AccessScope.Installation, [InvokeTokenSecret.SecretName]),
    ];
}
