using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Lamina.Kubernetes.Client;
using k8s;
using k8s.Models;

namespace Lamina.Testing.Fakes;

/// <summary>
/// An in-memory API server for unit tests: stores objects as JSON (so every read is a deep copy),
/// records every request, and fails the requests a test chooses. It keeps the rules controllers
/// depend on: resourceVersion on every write, generation bumped on spec changes only, status
/// written only through the status subresource, 404/409 errors shaped like the real server's.
/// Server-side apply is approximated by a deep merge of the applied fields (no field ownership).
/// </summary>
public sealed class FakeKubernetesClient : IKubernetesClient
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Kind, string? Namespace, string Name), JsonObject> _objects = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<(Func<RecordedRequest, bool> Match, Exception Error, int Remaining)> _failures = [];
    private readonly List<(string Kind, string? Namespace, Channel<(WatchEventType, JsonObject)> Channel)> _watchers = [];
    private long _resourceVersion = 1000;

    /// <summary>Every request so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_gate) { return [.. _requests]; } }
    }

    /// <summary>The requests that changed something.</summary>
    public IReadOnlyList<RecordedRequest> Writes => [.. Requests.Where(r => r.IsWrite)];

    /// <summary>Forgets the recorded requests (not the objects), e.g. after a test's setup.</summary>
    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    /// <summary>Makes the next <paramref name="times"/> requests that match fail with <paramref name="error"/>.</summary>
    public void FailNext(Func<RecordedRequest, bool> match, Exception error, int times = 1)
    {
        lock (_gate)
        {
            _failures.Add((match, error, times));
        }
    }

    /// <summary>An error shaped like the API server's, for <see cref="FailNext"/>.</summary>
    public static KubernetesApiException ApiError(HttpStatusCode code, string reason, string message = "injected failure") =>
        new(code, new V1Status { Status = "Failure", Reason = reason, Message = message, Code = (int)code });

    /// <summary>Puts an object in the store as if someone else had created it (not recorded).</summary>
    public T Seed<T>(T item)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            var node = ToNode(item);
            var meta = Meta(node);
            meta["uid"] ??= Guid.NewGuid().ToString();
            meta["resourceVersion"] = NextVersion();
            meta["generation"] ??= 1;
            meta["creationTimestamp"] ??= "2026-01-01T00:00:00Z";
            _objects[Key<T>(item.Metadata.NamespaceProperty, item.Metadata.Name!)] = node;
            Publish<T>(WatchEventType.Added, node);
            return FromNode<T>(node);
        }
    }

    /// <summary>The stored object, or null; not recorded as a request.</summary>
    public T? Peek<T>(string? ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            return _objects.TryGetValue(Key<T>(ns, name), out var node) ? FromNode<T>(node) : null;
        }
    }

    /// <summary>Changes a stored object in place as another actor would (not recorded); bumps resourceVersion.</summary>
    public T Mutate<T>(string? ns, string name, Action<T> change)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            var key = Key<T>(ns, name);
            var current = FromNode<T>(_objects[key]);
            change(current);
            var node = ToNode(current);
            Meta(node)["resourceVersion"] = NextVersion();
            _objects[key] = node;
            Publish<T>(WatchEventType.Modified, node);
            return FromNode<T>(node);
        }
    }

    /// <inheritdoc />
    public Task<T> GetAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            Record<T>("get", ns, name);
            return Task.FromResult(FromNode<T>(Existing<T>(ns, name)));
        }
    }

    /// <inheritdoc />
    public Task<KubernetesList<T>> ListAsync<T>(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            Record<T>("list", ns, null);
            var items = _objects
                .Where(o => o.Key.Kind == ResourceType.Of<T>().Kind && (ns is null || o.Key.Namespace == ns))
                .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal)
                .Select(o => FromNode<T>(o.Value))
                .Where(item => Matches(item.Metadata.Labels, options?.LabelSelector))
                .ToList();
            return Task.FromResult(new KubernetesList<T>(
                items, ResourceType.Of<T>().ApiVersion, ResourceType.Of<T>().Kind + "List",
                new V1ListMeta { ResourceVersion = _resourceVersion.ToString(CultureInfo.InvariantCulture) }));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(string? ns, WatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var channel = Channel.CreateUnbounded<(WatchEventType, JsonObject)>();
        lock (_gate)
        {
            Record<T>("watch", ns, null);
            _watchers.Add((ResourceType.Of<T>().Kind, ns, channel));
        }

        try
        {
            await foreach (var (type, node) in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new WatchEvent<T>(type, FromNode<T>(node));
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.RemoveAll(w => w.Channel == channel);
            }
        }
    }

    /// <inheritdoc />
    public Task<T> CreateAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate)
        {
            var name = item.Metadata.Name ?? throw new ArgumentException("metadata.name is required", nameof(item));
            Record<T>("create", item.Metadata.NamespaceProperty, name);
            var key = Key<T>(item.Metadata.NamespaceProperty, name);
            if (_objects.ContainsKey(key))
            {
                throw ApiError(HttpStatusCode.Conflict, StatusReasons.AlreadyExists, $"{ResourceType.Of<T>().Plural} \"{name}\" already exists");
            }

            var node = ToNode(item);
            node.Remove("status");
            var meta = Meta(node);
            meta["uid"] = Guid.NewGuid().ToString();
            meta["generation"] = 1;
            meta["resourceVersion"] = NextVersion();
            meta["creationTimestamp"] = "2026-01-01T00:00:00Z";
            _objects[key] = node;
            Publish<T>(WatchEventType.Added, node);
            return Task.FromResult(FromNode<T>(node));
        }
    }

    /// <inheritdoc />
    public Task<T> ReplaceAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate)
        {
            Record<T>("replace", item.Metadata.NamespaceProperty, item.Metadata.Name);
            var current = Existing<T>(item.Metadata.NamespaceProperty, item.Metadata.Name!);
            CheckVersion<T>(current, item.Metadata.ResourceVersion);
            var node = ToNode(item);
            node["status"] = current["status"]?.DeepClone();
            return Task.FromResult(Store<T>(current, node));
        }
    }

    /// <inheritdoc />
    public Task<T> ApplyAsync<T>(T item, ApplyOptions options, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate)
        {
            var name = item.Metadata.Name!;
            Record<T>("apply", item.Metadata.NamespaceProperty, name, subresource);
            var key = Key<T>(item.Metadata.NamespaceProperty, name);
            var applied = ToNode(item);
            if (!_objects.TryGetValue(key, out var current))
            {
                if (subresource is not null)
                {
                    throw NotFound<T>(name);
                }

                applied.Remove("status");
                var meta = Meta(applied);
                meta["uid"] = Guid.NewGuid().ToString();
                meta["generation"] = 1;
                meta["resourceVersion"] = NextVersion();
                meta["creationTimestamp"] = "2026-01-01T00:00:00Z";
                _objects[key] = applied;
                Publish<T>(WatchEventType.Added, applied);
                return Task.FromResult(FromNode<T>(applied));
            }

            var merged = (JsonObject)current.DeepClone();
            if (subresource == "status")
            {
                merged["status"] = Merge(merged["status"], applied["status"]);
            }
            else
            {
                applied.Remove("status");
                Meta(applied).Remove("resourceVersion");
                MergeInto(merged, applied);
            }

            return Task.FromResult(Store<T>(current, merged));
        }
    }

    /// <inheritdoc />
    public Task<T> MergePatchAsync<T>(string? ns, string name, string patchJson, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            Record<T>("patch", ns, name, subresource);
            var current = Existing<T>(ns, name);
            var patch = JsonNode.Parse(patchJson)!.AsObject();
            var merged = (JsonObject)current.DeepClone();
            if (subresource == "status")
            {
                merged["status"] = MergePatch(merged["status"], patch["status"]);
            }
            else
            {
                patch.Remove("status");
                merged = (JsonObject)MergePatch(merged, patch)!;
            }

            return Task.FromResult(Store<T>(current, merged));
        }
    }

    /// <inheritdoc />
    public Task<T> ReplaceStatusAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate)
        {
            Record<T>("replace", item.Metadata.NamespaceProperty, item.Metadata.Name, "status");
            var current = Existing<T>(item.Metadata.NamespaceProperty, item.Metadata.Name!);
            CheckVersion<T>(current, item.Metadata.ResourceVersion);
            var merged = (JsonObject)current.DeepClone();
            merged["status"] = ToNode(item)["status"]?.DeepClone();
            return Task.FromResult(Store<T>(current, merged));
        }
    }

    /// <inheritdoc />
    public Task<V1Scale> GetScaleAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            Record<T>("get", ns, name, "scale");
            return Task.FromResult(ScaleOf(Existing<T>(ns, name)));
        }
    }

    /// <inheritdoc />
    public Task<V1Scale> SetScaleAsync<T>(string? ns, string name, int replicas, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            Record<T>("patch", ns, name, "scale");
            var current = Existing<T>(ns, name);
            var merged = (JsonObject)current.DeepClone();
            var spec = merged["spec"] as JsonObject ?? [];
            spec["replicas"] = replicas;
            merged["spec"] = spec;
            Store<T>(current, merged);
            return Task.FromResult(ScaleOf(_objects[Key<T>(ns, name)]));
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync<T>(string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            Record<T>("delete", ns, name);
            var node = Existing<T>(ns, name);
            _objects.Remove(Key<T>(ns, name));
            Publish<T>(WatchEventType.Deleted, node);
            return Task.CompletedTask;
        }
    }

    private void Record<T>(string verb, string? ns, string? name, string? subresource = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var request = new RecordedRequest(verb, ResourceType.Of<T>().Kind, ns, name, subresource);
        _requests.Add(request);
        for (var i = 0; i < _failures.Count; i++)
        {
            var (match, error, remaining) = _failures[i];
            if (match(request))
            {
                if (remaining <= 1)
                {
                    _failures.RemoveAt(i);
                }
                else
                {
                    _failures[i] = (match, error, remaining - 1);
                }

                throw error;
            }
        }
    }

    private T Store<T>(JsonObject before, JsonObject after)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (JsonNode.DeepEquals(before, after))
        {
            return FromNode<T>(before); // a no-op write changes nothing, as on the real server
        }

        var meta = Meta(after);
        // Seeded and deserialized objects store numbers as different CLR types: read the JSON text.
        var generation = Meta(before)["generation"] is { } stored ? long.Parse(stored.ToJsonString(), CultureInfo.InvariantCulture) : 1;
        meta["generation"] = SpecChanged(before, after) ? generation + 1 : generation;
        meta["resourceVersion"] = NextVersion();
        var key = Key<T>(meta["namespace"]?.GetValue<string>(), meta["name"]!.GetValue<string>());
        _objects[key] = after;
        Publish<T>(WatchEventType.Modified, after);
        return FromNode<T>(after);
    }

    private static bool SpecChanged(JsonObject before, JsonObject after)
    {
        static JsonObject WithoutMetaAndStatus(JsonObject o)
        {
            var copy = (JsonObject)o.DeepClone();
            copy.Remove("metadata");
            copy.Remove("status");
            return copy;
        }

        return !JsonNode.DeepEquals(WithoutMetaAndStatus(before), WithoutMetaAndStatus(after));
    }

    private void Publish<T>(WatchEventType type, JsonObject node)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var ns = Meta(node)["namespace"]?.GetValue<string>();
        foreach (var watcher in _watchers.Where(w => w.Kind == ResourceType.Of<T>().Kind && (w.Namespace is null || w.Namespace == ns)))
        {
            watcher.Channel.Writer.TryWrite((type, (JsonObject)node.DeepClone()));
        }
    }

    private JsonObject Existing<T>(string? ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        _objects.TryGetValue(Key<T>(ns, name), out var node) ? node : throw NotFound<T>(name);

    private static KubernetesApiException NotFound<T>(string name)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        ApiError(HttpStatusCode.NotFound, StatusReasons.NotFound, $"{ResourceType.Of<T>().Plural} \"{name}\" not found");

    private static void CheckVersion<T>(JsonObject current, string? expected)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var actual = Meta(current)["resourceVersion"]?.GetValue<string>();
        if (expected is not null && expected != actual)
        {
            throw ApiError(HttpStatusCode.Conflict, StatusReasons.Conflict,
                $"Operation cannot be fulfilled on {ResourceType.Of<T>().Plural}: the object has been modified; please apply your changes to the latest version and try again");
        }
    }

    private static V1Scale ScaleOf(JsonObject node)
    {
        var meta = Meta(node);
        var replicas = node["spec"]?["replicas"]?.GetValue<int>();
        return new V1Scale
        {
            Metadata = new V1ObjectMeta
            {
                Name = meta["name"]?.GetValue<string>(),
                NamespaceProperty = meta["namespace"]?.GetValue<string>(),
                ResourceVersion = meta["resourceVersion"]?.GetValue<string>(),
            },
            Spec = new V1ScaleSpec { Replicas = replicas },
            Status = new V1ScaleStatus { Replicas = node["status"]?["replicas"]?.GetValue<int>() ?? 0 },
        };
    }

    private string NextVersion() => (++_resourceVersion).ToString(CultureInfo.InvariantCulture);

    private static (string, string?, string) Key<T>(string? ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        (ResourceType.Of<T>().Kind, ns, name);

    private static JsonObject Meta(JsonObject node)
    {
        if (node["metadata"] is not JsonObject meta)
        {
            meta = [];
            node["metadata"] = meta;
        }

        return meta;
    }

    private static JsonObject ToNode<T>(T item)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        ObjectJson.ToNode(item);

    private static T FromNode<T>(JsonObject node)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        ObjectJson.FromNode<T>(node);

    /// <summary>Deep merge for apply: objects merge key by key; arrays and scalars are replaced.</summary>
    private static void MergeInto(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source.ToList())
        {
            if (value is JsonObject sourceChild && target[key] is JsonObject targetChild)
            {
                MergeInto(targetChild, sourceChild);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static JsonNode? Merge(JsonNode? target, JsonNode? source)
    {
        if (source is JsonObject sourceObject && target is JsonObject targetObject)
        {
            var copy = (JsonObject)targetObject.DeepClone();
            MergeInto(copy, sourceObject);
            return copy;
        }

        return source?.DeepClone();
    }

    /// <summary>RFC 7386 JSON merge patch: null removes a key.</summary>
    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = MergePatch(result[key], value);
            }
        }

        return result;
    }

    private static bool Matches(IDictionary<string, string>? labels, string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return true;
        }

        foreach (var term in selector.Split(','))
        {
            var parts = term.Split('=', 2);
            if (labels is null || !labels.TryGetValue(parts[0], out var value) || (parts.Length == 2 && value != parts[1]))
            {
                return false;
            }
        }

        return true;
    }
}
