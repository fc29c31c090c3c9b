using k8s;
using k8s.Models;

namespace Lamina.Kubernetes.Client;

/// <summary>
/// The Kubernetes operations Lamina uses, and no more, generic over the library's models
/// (k8s.Models and our custom resources). Ours because the library's <see cref="IKubernetes"/> has
/// one generated method per kind and operation (hundreds), reports failures as several exception
/// types, and cannot be faked by hand: this seam is what the informer, the event recorder, leader
/// election and the reconciler are written against, and what <c>FakeKubernetesClient</c> fakes in
/// table-driven tests. <see cref="KubernetesObjectClient"/> implements it over <see cref="IKubernetes"/>.
/// Every failure the API server reports is a <see cref="KubernetesApiException"/>. Cluster-scoped
/// resources take <c>null</c> namespaces; so do lists and watches across all namespaces.
/// </summary>
public interface IKubernetesClient
{
    /// <summary>Reads one object; throws NotFound when it does not exist.</summary>
    Task<T> GetAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>One page of a list (<see cref="ListOptions.Limit"/>/<see cref="ListOptions.Continue"/>); all namespaces when <paramref name="ns"/> is null.</summary>
    Task<KubernetesList<T>> ListAsync<T>(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>
    /// One watch connection from <see cref="WatchOptions.ResourceVersion"/>: events until the server
    /// closes the stream or <paramref name="cancellationToken"/> fires. An <c>ERROR</c> event is
    /// surfaced as a <see cref="KubernetesApiException"/> (410 Gone: relist). Reconnecting is the
    /// caller's job (see the informer).
    /// </summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(string? ns, WatchOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Creates an object; AlreadyExists when the name is taken.</summary>
    Task<T> CreateAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Replaces an object (PUT); Conflict when its resourceVersion is stale.</summary>
    Task<T> ReplaceAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>
    /// Server-side apply (<c>application/apply-patch+yaml</c>) of the fields <paramref name="item"/>
    /// sets, owned by <see cref="ApplyOptions.FieldManager"/>. Conflict when another manager owns a
    /// field and <see cref="ApplyOptions.Force"/> is false. <paramref name="subresource"/>: e.g. <c>status</c>.
    /// </summary>
    Task<T> ApplyAsync<T>(T item, ApplyOptions options, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>A JSON merge patch (RFC 7386) of one object or one of its subresources.</summary>
    Task<T> MergePatchAsync<T>(string? ns, string name, string patchJson, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Replaces the status subresource (PUT …/status); Conflict when the resourceVersion is stale.</summary>
    Task<T> ReplaceStatusAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Reads the scale subresource.</summary>
    Task<V1Scale> GetScaleAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Sets <c>spec.replicas</c> through the scale subresource.</summary>
    Task<V1Scale> SetScaleAsync<T>(string? ns, string name, int replicas, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Deletes an object; NotFound when it is already gone.</summary>
    Task DeleteAsync<T>(string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;
}
