namespace Lamina.Kubernetes.Access;

/// <summary>
/// A request to the API server in RBAC's terms: the verb (get, list, watch, create, update, patch,
/// delete, deletecollection), the group (empty for the core group) and the resource with its
/// subresource (<c>deployments/scale</c>), read from the method and the URL path as the API server's
/// own request-info resolver reads them.
/// </summary>
/// <param name="Verb">The RBAC verb.</param>
/// <param name="Group">The API group; empty for the core group.</param>
/// <param name="Resource">The resource, with <c>/subresource</c>; <c>unknown</c> for a path that names none (discovery, /version).</param>
public sealed record KubernetesRequest(string Verb, string Group, string Resource)
{
    private const string Unknown = "unknown";

    /// <summary>Reads <paramref name="method"/> and <paramref name="uri"/>.</summary>
    public static KubernetesRequest Describe(HttpMethod method, Uri? uri)
    {
        ArgumentNullException.ThrowIfNull(method);
        var segments = uri is null ? [] : uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);

        // /api/v1/... is the core group; /apis/<group>/<version>/... every other.
        var (group, rest) = segments switch
        {
            ["api", _, .. var tail] => ("", tail),
            ["apis", var named, _, .. var tail] => (named, tail),
            _ => ((string?)null, Array.Empty<string>()),
        };
        if (group is null || rest.Length == 0)
        {
            return new(VerbOf(method, hasName: false, uri), "", Unknown);
        }

        // namespaces/<ns>/<resource>/... unless it is the Namespace object itself (and its subresources).
        if (rest is ["namespaces", _, var next, ..] && next is not ("status" or "finalize"))
        {
            rest = rest[2..];
        }

        var resource = rest.Length >= 3 ? $"{rest[0]}/{rest[2]}" : rest[0];
        return new(VerbOf(method, hasName: rest.Length >= 2, uri), group, resource);
    }

    private static string VerbOf(HttpMethod method, bool hasName, Uri? uri) => method.Method switch
    {
        "GET" or "HEAD" when hasName => "get",
        "GET" or "HEAD" when IsWatch(uri) => "watch",
        "GET" or "HEAD" => "list",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" when hasName => "delete",
        "DELETE" => "deletecollection",
        var other => other.ToLowerInvariant(),
    };

    private static bool IsWatch(Uri? uri)
    {
        if (uri is null)
        {
            return false;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair is "watch=true" or "watch=1" or "watch=True")
            {
                return true;
            }
        }

        return false;
    }
}
