using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using k8s;
using k8s.Models;

namespace Lamina.Kubernetes.Informers;

/// <summary>
/// The informer's cache: the latest state of every object, keyed by <see cref="ObjectKey"/>
/// (<c>namespace/name</c>), readable from any thread. Only the informer writes.
/// </summary>
public sealed class InformerStore<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentDictionary<string, T> _items = new(StringComparer.Ordinal);

    /// <summary>How many objects are cached.</summary>
    public int Count => _items.Count;

    /// <summary>The cached object with this key.</summary>
    public bool TryGet(string key, [MaybeNullWhen(false)] out T item) => _items.TryGetValue(key, out item);

    /// <summary>The cached object, or null.</summary>
    public T? Get(string? ns, string name) => _items.TryGetValue(ObjectKey.Of(ns, name), out var item) ? item : null;

    /// <summary>A snapshot of every cached object, in no particular order.</summary>
    public IReadOnlyList<T> List() => [.. _items.Values];

    /// <summary>A snapshot of the keys.</summary>
    public IReadOnlyList<string> Keys() => [.. _items.Keys];

    internal void Set(string key, T item) => _items[key] = item;

    internal bool TryRemove(string key, [MaybeNullWhen(false)] out T item) => _items.TryRemove(key, out item);
}
