namespace Lamina.Kubernetes.Client;

/// <summary>Where a resource is served: <c>/apis/{Group}/{Version}/namespaces/{ns}/{Plural}</c>.</summary>
/// <param name="Group">API group; empty for the core group (served under <c>/api/v1</c>).</param>
/// <param name="Version">API version, e.g. <c>v1</c>.</param>
/// <param name="Plural">Resource name in URLs, e.g. <c>deployments</c>.</param>
/// <param name="Kind">Kind, e.g. <c>Deployment</c>.</param>
/// <param name="Namespaced">Whether objects live in namespaces.</param>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced = true)
{
    /// <summary><c>group/version</c>, or just the version for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The collection path, e.g. <c>/apis/apps/v1/namespaces/ns/deployments</c>; all namespaces when <paramref name="ns"/> is null.</summary>
    public string CollectionPath(string? ns)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        return Namespaced && ns is not null ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}" : $"{root}/{Plural}";
    }

    /// <summary>One object's path, optionally a subresource (<c>status</c>, <c>scale</c>).</summary>
    public string ObjectPath(string? ns, string name, string? subresource = null)
    {
        var path = $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";
        return subresource is null ? path : $"{path}/{subresource}";
    }
}
