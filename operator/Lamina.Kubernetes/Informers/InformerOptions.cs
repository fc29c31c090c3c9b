using k8s;
using k8s.Models;

namespace Lamina.Kubernetes.Informers;

/// <summary>What an <see cref="Informer{T}"/> watches and how it recovers.</summary>
public sealed record InformerOptions
{
    /// <summary>Only this namespace; all namespaces when null.</summary>
    public string? Namespace { get; init; }

    /// <summary>Only objects with these labels, e.g. <c>app.kubernetes.io/managed-by=lamina</c>.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Only objects matching these fields, e.g. <c>metadata.name=x</c>.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>
    /// Every this often, every stored object is delivered again as an update (old == new), so a
    /// controller that dropped an event still converges. Off when null.
    /// </summary>
    public TimeSpan? ResyncPeriod { get; init; }

    /// <summary>Objects per list page: client-go's 500 keeps each response small on a large cluster.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>
    /// Each watch asks the server to close it after this long (client-go picks 5–10 min), and the
    /// informer gives up on a silent connection a little later. Null leaves the server's default
    /// and sets no client-side deadline.
    /// </summary>
    public TimeSpan? WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The first retry delay after a failure (client-go's 800 ms).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>The retry delay doubles up to this (client-go's 30 s).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Applied in place to every object before it is stored or handed to handlers (each is freshly
    /// decoded, never shared), e.g. <see cref="InformerTransforms.StripManagedFields"/> to keep a
    /// large cache small. None when null.
    /// </summary>
    public Action<IKubernetesObject<V1ObjectMeta>>? Transform { get; init; }
}
