using k8s;
using k8s.Models;

namespace Lamina.Kubernetes.Informers;

/// <summary>Ready-made <see cref="InformerOptions.Transform"/>s.</summary>
public static class InformerTransforms
{
    /// <summary>kubectl's client-side apply keeps a copy of the whole object in this annotation.</summary>
    private const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// Drops <c>metadata.managedFields</c> and kubectl's last-applied annotation, which together are
    /// often most of an object's size and which controllers reading from a cache never need (as
    /// client-go's informers do with their strip-managed-fields transform).
    /// </summary>
    public static void StripManagedFields(IKubernetesObject<V1ObjectMeta> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        item.Metadata.ManagedFields = null;
        item.Metadata.Annotations?.Remove(LastAppliedAnnotation);
    }
}
