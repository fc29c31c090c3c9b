namespace Lamina.Kubernetes.Access;

/// <summary>
/// One RBAC rule a program needs: the verbs it calls on a resource (with its subresource, as RBAC
/// spells it: <c>deployments/scale</c>), where, and on which names. Each program declares its list
/// beside its code; the Helm chart's Roles must grant exactly that list (a chart test compares them),
/// and <see cref="KubernetesRequestMetrics"/> counts every request by the same terms, so an end-to-end
/// test can check that nothing the program really sends falls outside it.
/// </summary>
/// <param name="Group">The API group; empty for the core group.</param>
/// <param name="Resource">The resource, with <c>/subresource</c> when it is one.</param>
/// <param name="Verbs">RBAC verbs: get, list, watch, create, update, patch, delete.</param>
/// <param name="Scope">Where the rule applies.</param>
/// <param name="ResourceNames">The only names it applies to; empty for all.</param>
public sealed record AccessRule(
    string Group,
    string Resource,
    IReadOnlyList<string> Verbs,
    AccessScope Scope = AccessScope.Watched,
    IReadOnlyList<string>? ResourceNames = null)
{
    /// <summary>The names as a list that is never null.</summary>
    public IReadOnlyList<string> Names => ResourceNames ?? [];
}
