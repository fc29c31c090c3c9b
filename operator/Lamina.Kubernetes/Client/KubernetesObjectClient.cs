using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Lamina.Kubernetes.Client;

/// <summary>
/// <see cref="IKubernetesClient"/> over the official client's <see cref="IKubernetes"/>. Every kind,
/// built-in or custom, goes through the library's generic object calls
/// (<see cref="IKubernetes.CustomObjects"/>, which serve the core group under <c>/api/v1</c> too),
/// so one code path covers Deployments, Leases and Functions alike; the library does the transport,
/// authentication and JSON. Failures become <see cref="KubernetesApiException"/> with the server's
/// Status, and a watch's ERROR event ends the watch as one (the library only reports it to a callback).
/// </summary>
/// <param name="kubernetes">The process's one library client.</param>
/// <param name="disposeKubernetes">Whether <see cref="Dispose"/> disposes <paramref name="kubernetes"/> (a client made for one test, say).</param>
public sealed class KubernetesObjectClient(IKubernetes kubernetes, bool disposeKubernetes = false) : IKubernetesClient, IDisposable
{
    private const string ManagedFields = "managedFields";

    private readonly IKubernetes _kubernetes = kubernetes ?? throw new ArgumentNullException(nameof(kubernetes));

    /// <summary>The library client underneath, for the calls this seam does not cover.</summary>
    public IKubernetes Kubernetes => _kubernetes;

    /// <inheritdoc />
    public void Dispose()
    {
        if (disposeKubernetes)
        {
            _kubernetes.Dispose();
        }
    }

    private ICustomObjectsOperations Objects => _kubernetes.CustomObjects;

    /// <inheritdoc />
    public Task<T> GetAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var r = ResourceType.Of<T>();
        return CallAsync(ns is null
            ? Objects.GetClusterCustomObjectWithHttpMessagesAsync<T>(r.Group, r.Version, r.Plural, name, cancellationToken: cancellationToken)
            : Objects.GetNamespacedCustomObjectWithHttpMessagesAsync<T>(r.Group, r.Version, ns, r.Plural, name, cancellationToken: cancellationToken));
    }

    /// <inheritdoc />
    public async Task<KubernetesList<T>> ListAsync<T>(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var r = ResourceType.Of<T>();
        options ??= new ListOptions();
        var list = await CallAsync(ns is null
            ? Objects.ListClusterCustomObjectWithHttpMessagesAsync<KubernetesList<T>>(r.Group, r.Version, r.Plural,
                continueParameter: options.Continue, fieldSelector: options.FieldSelector, labelSelector: options.LabelSelector,
                limit: options.Limit, resourceVersion: options.ResourceVersion, cancellationToken: cancellationToken)
            : Objects.ListNamespacedCustomObjectWithHttpMessagesAsync<KubernetesList<T>>(r.Group, r.Version, ns, r.Plural,
                continueParameter: options.Continue, fieldSelector: options.FieldSelector, labelSelector: options.LabelSelector,
                limit: options.Limit, resourceVersion: options.ResourceVersion, cancellationToken: cancellationToken)).ConfigureAwait(false);
        // The API server leaves type metadata out of built-in lists' items; objects look the same however they were read.
        list.Items ??= [];
        foreach (var item in list.Items)
        {
            WithTypeMeta(item, r);
        }

        return list;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(string? ns, WatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(options);
        var r = ResourceType.Of<T>();
        var timeoutSeconds = options.Timeout is { } timeout ? (int?)Math.Max(1, (int)timeout.TotalSeconds) : null;
        var request = ns is null
            ? Objects.ListClusterCustomObjectWithHttpMessagesAsync<KubernetesList<T>>(r.Group, r.Version, r.Plural,
                allowWatchBookmarks: options.AllowBookmarks, fieldSelector: options.FieldSelector, labelSelector: options.LabelSelector,
                resourceVersion: options.ResourceVersion, timeoutSeconds: timeoutSeconds, watch: true, cancellationToken: cancellationToken)
            : Objects.ListNamespacedCustomObjectWithHttpMessagesAsync<KubernetesList<T>>(r.Group, r.Version, ns, r.Plural,
                allowWatchBookmarks: options.AllowBookmarks, fieldSelector: options.FieldSelector, labelSelector: options.LabelSelector,
                resourceVersion: options.ResourceVersion, timeoutSeconds: timeoutSeconds, watch: true, cancellationToken: cancellationToken);

        // The library hands ERROR events (410 Gone above all) and undecodable lines to this callback
        // and reads on; the server closes the stream after an ERROR, and we end the watch with it.
        Exception? failure = null;
#pragma warning disable CS0618 // the replacement is per kind (WatchListNamespacedPodAsync…); this is the generic form
        var events = request.WatchAsync<T, KubernetesList<T>>(e => failure ??= e, cancellationToken);
#pragma warning restore CS0618
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await enumerator.MoveNextAsync().ConfigureAwait(false);
            }
            catch (HttpOperationException e)
            {
                throw Translate(e);
            }

            if (failure is not null)
            {
                throw Translate(failure);
            }

            if (!more)
            {
                yield break;
            }

            var (type, item) = enumerator.Current;
            yield return new WatchEvent<T>(type, item);
        }
    }

    /// <inheritdoc />
    public Task<T> CreateAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(item);
        var r = ResourceType.Of<T>();
        WithTypeMeta(item, r);
        var ns = item.Metadata?.NamespaceProperty;
        return CallAsync(ns is null
            ? Objects.CreateClusterCustomObjectWithHttpMessagesAsync<T>(item, r.Group, r.Version, r.Plural, cancellationToken: cancellationToken)
            : Objects.CreateNamespacedCustomObjectWithHttpMessagesAsync<T>(item, r.Group, r.Version, ns, r.Plural, cancellationToken: cancellationToken));
    }

    /// <inheritdoc />
    public Task<T> ReplaceAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var (r, ns, name) = Target(item);
        return CallAsync(ns is null
            ? Objects.ReplaceClusterCustomObjectWithHttpMessagesAsync<T>(item, r.Group, r.Version, r.Plural, name, cancellationToken: cancellationToken)
            : Objects.ReplaceNamespacedCustomObjectWithHttpMessagesAsync<T>(item, r.Group, r.Version, ns, r.Plural, name, cancellationToken: cancellationToken));
    }

    /// <inheritdoc />
    public Task<T> ApplyAsync<T>(T item, ApplyOptions options, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(options);
        var (r, ns, name) = Target(item);
        var patch = new V1Patch(ApplyBody(item), V1Patch.PatchType.ApplyPatch);
        return PatchAsync<T>(r, ns, name, patch, subresource, options.FieldManager, options.Force, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> MergePatchAsync<T>(string? ns, string name, string patchJson, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(patchJson);
        return PatchAsync<T>(ResourceType.Of<T>(), ns, name, new V1Patch(patchJson, V1Patch.PatchType.MergePatch), subresource, null, null, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> ReplaceStatusAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var (r, ns, name) = Target(item);
        return CallAsync(ns is null
            ? Objects.ReplaceClusterCustomObjectStatusWithHttpMessagesAsync<T>(item, r.Group, r.Version, r.Plural, name, cancellationToken: cancellationToken)
            : Objects.ReplaceNamespacedCustomObjectStatusWithHttpMessagesAsync<T>(item, r.Group, r.Version, ns, r.Plural, name, cancellationToken: cancellationToken));
    }

    /// <inheritdoc />
    public Task<V1Scale> GetScaleAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var r = ResourceType.Of<T>();
        return CallAsync(ns is null
            ? Objects.GetClusterCustomObjectScaleWithHttpMessagesAsync<V1Scale>(r.Group, r.Version, r.Plural, name, cancellationToken: cancellationToken)
            : Objects.GetNamespacedCustomObjectScaleWithHttpMessagesAsync<V1Scale>(r.Group, r.Version, ns, r.Plural, name, cancellationToken: cancellationToken));
    }

    /// <inheritdoc />
    public Task<V1Scale> SetScaleAsync<T>(string? ns, string name, int replicas, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(replicas);
        // A merge patch touches only spec.replicas, so it never conflicts with a concurrent writer the way a PUT of the Scale would.
        var patch = new V1Patch("{\"spec\":{\"replicas\":" + replicas.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}", V1Patch.PatchType.MergePatch);
        return PatchAsync<V1Scale>(ResourceType.Of<T>(), ns, name, patch, "scale", null, null, cancellationToken);
    }

    /// <inheritdoc />
    public async Task DeleteAsync<T>(string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var r = ResourceType.Of<T>();
        var body = options is null ? null : new V1DeleteOptions
        {
            PropagationPolicy = options.PropagationPolicy?.ToString(),
            GracePeriodSeconds = options.GracePeriodSeconds,
            Preconditions = options.PreconditionUid is { } uid ? new V1Preconditions { Uid = uid } : null,
        };
        await CallAsync(ns is null
            ? Objects.DeleteClusterCustomObjectWithHttpMessagesAsync<V1Status>(r.Group, r.Version, r.Plural, name, body, cancellationToken: cancellationToken)
            : Objects.DeleteNamespacedCustomObjectWithHttpMessagesAsync<V1Status>(r.Group, r.Version, ns, r.Plural, name, body, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private Task<TResult> PatchAsync<TResult>(ResourceType r, string? ns, string name, V1Patch patch, string? subresource, string? fieldManager, bool? force, CancellationToken cancellationToken)
    {
        return (subresource, ns) switch
        {
            (null, null) => CallAsync(Objects.PatchClusterCustomObjectWithHttpMessagesAsync<TResult>(patch, r.Group, r.Version, r.Plural, name, fieldManager: fieldManager, force: force, cancellationToken: cancellationToken)),
            (null, _) => CallAsync(Objects.PatchNamespacedCustomObjectWithHttpMessagesAsync<TResult>(patch, r.Group, r.Version, ns, r.Plural, name, fieldManager: fieldManager, force: force, cancellationToken: cancellationToken)),
            ("status", null) => CallAsync(Objects.PatchClusterCustomObjectStatusWithHttpMessagesAsync<TResult>(patch, r.Group, r.Version, r.Plural, name, fieldManager: fieldManager, force: force, cancellationToken: cancellationToken)),
            ("status", _) => CallAsync(Objects.PatchNamespacedCustomObjectStatusWithHttpMessagesAsync<TResult>(patch, r.Group, r.Version, ns, r.Plural, name, fieldManager: fieldManager, force: force, cancellationToken: cancellationToken)),
            ("scale", null) => CallAsync(Objects.PatchClusterCustomObjectScaleWithHttpMessagesAsync<TResult>(patch, r.Group, r.Version, r.Plural, name, fieldManager: fieldManager, force: force, cancellationToken: cancellationToken)),
            ("scale", _) => CallAsync(Objects.PatchNamespacedCustomObjectScaleWithHttpMessagesAsync<TResult>(patch, r.Group, r.Version, ns, r.Plural, name, fieldManager: fieldManager, force: force, cancellationToken: cancellationToken)),
            _ => throw new ArgumentException($"unsupported subresource '{subresource}' (status or scale)", nameof(subresource)),
        };
    }

    private static async Task<TResult> CallAsync<TResult>(Task<HttpOperationResponse<TResult>> call)
    {
        try
        {
            using var response = await call.ConfigureAwait(false);
            return response.Body;
        }
        catch (HttpOperationException e)
        {
            throw Translate(e);
        }
    }

    /// <summary>The library's failures as one exception type with the HTTP status and the server's Status.</summary>
    private static Exception Translate(Exception error)
    {
        switch (error)
        {
            case HttpOperationException { Response: { } response } http:
                V1Status? status = null;
                try
                {
                    status = string.IsNullOrEmpty(response.Content) ? null : KubernetesJson.Deserialize<V1Status>(response.Content);
                }
                catch (System.Text.Json.JsonException)
                {
                    // Not a Status document (a proxy's HTML page, say): the status code still says what happened.
                }

                return new KubernetesApiException(response.StatusCode, status is { Kind: "Status" } ? status : null, http.Message);
            case KubernetesException { Status: { } watchStatus }:
                return new KubernetesApiException((HttpStatusCode)(watchStatus.Code ?? 500), watchStatus);
            default:
                return error;
        }
    }

    /// <summary>Where a write of <paramref name="item"/> goes (its resource, namespace and name), its type metadata filled in.</summary>
    private static (ResourceType Resource, string? Namespace, string Name) Target<T>(T item)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(item);
        var r = ResourceType.Of<T>();
        WithTypeMeta(item, r);
        return (r, item.Metadata?.NamespaceProperty, NameOf(item, r));
    }

    /// <summary>Type metadata from the model's resource, so callers need not set apiVersion and kind.</summary>
    private static void WithTypeMeta<T>(T item, ResourceType r)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        item.ApiVersion ??= r.ApiVersion;
        item.Kind ??= r.Kind;
    }

    /// <summary>The apply body: the object as the library writes it, less managedFields, which an apply must not send.</summary>
    private static string ApplyBody<T>(T item)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var json = KubernetesJson.Serialize(item);
        if (item.Metadata?.ManagedFields is null)
        {
            return json;
        }

        var node = JsonNode.Parse(json)!.AsObject();
        (node["metadata"] as JsonObject)?.Remove(ManagedFields);
        return node.ToJsonString();
    }

    private static string NameOf<T>(T item, ResourceType r)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        item.Metadata?.Name is { Length: > 0 } name ? name : throw new ArgumentException($"the {r.Kind} has no metadata.name", nameof(item));
}
