using System.Collections.Concurrent;
using System.Reflection;
using k8s.Models;

namespace Lamina.Kubernetes.Client;

/// <summary>
/// Where a resource is served (<c>/apis/{Group}/{Version}/namespaces/{ns}/{Plural}</c>), read once per
/// type from the <see cref="KubernetesEntityAttribute"/> that every k8s.Models type and our own
/// custom resources carry. The library's typed calls are one method per kind; this is what lets
/// <see cref="IKubernetesClient"/> be generic.
/// </summary>
/// <param name="Group">API group; empty for the core group (served under <c>/api/v1</c>).</param>
/// <param name="Version">API version, e.g. <c>v1</c>.</param>
/// <param name="Plural">Resource name in URLs, e.g. <c>deployments</c>.</param>
/// <param name="Kind">Kind, e.g. <c>Deployment</c>.</param>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind)
{
    private static readonly ConcurrentDictionary<Type, ResourceType> Cache = new();

    /// <summary><c>group/version</c>, or just the version for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The resource of <typeparamref name="T"/>.</summary>
    public static ResourceType Of<T>() => Of(typeof(T));

    /// <summary>The resource of <paramref name="type"/>; throws when it carries no <see cref="KubernetesEntityAttribute"/>.</summary>
    public static ResourceType Of(Type type) => Cache.GetOrAdd(type, static t =>
    {
        var entity = t.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{t.Name} has no [KubernetesEntity] attribute, so its resource is unknown", nameof(type));
        return new ResourceType(entity.Group ?? "", entity.ApiVersion, entity.PluralName, entity.Kind);
    });
}
