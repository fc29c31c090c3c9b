using k8s;
using k8s.Models;

namespace Lamina.Kubernetes.Informers;

/// <summary>How informers and work queues name an object: <c>namespace/name</c>, or <c>name</c> without a namespace (client-go's MetaNamespaceKeyFunc).</summary>
public static class ObjectKey
{
    /// <summary>The key of the object <paramref name="name"/> in <paramref name="ns"/>.</summary>
    public static string Of(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    /// <summary>The key of <paramref name="item"/>.</summary>
    public static string Of(IKubernetesObject<V1ObjectMeta> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Of(item.Metadata.NamespaceProperty, item.Metadata.Name ?? "");
    }
}
