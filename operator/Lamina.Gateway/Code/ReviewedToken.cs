namespace Lamina.Gateway.Code;

/// <summary>
/// Who the API server says a token belongs to (a TokenReview's <c>status.user</c>), reduced to what
/// the code endpoint decides on. The pod fields come from the token's own claims, which only the API
/// server's signing key can write, so they are as trustworthy as the username.
/// </summary>
/// <param name="Username">e.g. <c>system:serviceaccount:team-a:default</c>.</param>
/// <param name="PodName">From <c>authentication.kubernetes.io/pod-name</c>; null for a token not bound to a pod.</param>
/// <param name="PodUid">From <c>authentication.kubernetes.io/pod-uid</c>; null for a token not bound to a pod.</param>
internal sealed record ReviewedToken(string Username, string? PodName, string? PodUid)
{
    /// <summary>The user extra keys the API server sets for a token bound to a pod (pkg/serviceaccount in Kubernetes).</summary>
    public const string PodNameExtra = "authentication.kubernetes.io/pod-name";

    /// <inheritdoc cref="PodNameExtra"/>
    public const string PodUidExtra = "authentication.kubernetes.io/pod-uid";

    private const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>The ServiceAccount's namespace and name, or null when the user is not a ServiceAccount.</summary>
    public (string Namespace, string Name)? ServiceAccount =>
        Username.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal)
        && Username[ServiceAccountPrefix.Length..].Split(':') is [{ Length: > 0 } ns, { Length: > 0 } name]
            ? (ns, name)
            : null;
}
