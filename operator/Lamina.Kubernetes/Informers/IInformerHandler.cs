namespace Lamina.Kubernetes.Informers;

/// <summary>
/// Receives an informer's changes, one at a time, in order. The objects are the informer's cached
/// copies: read them, never change them. Keep handlers quick (enqueue a key): they run on the
/// informer's loop.
/// </summary>
public interface IInformerHandler<in T>
{
    /// <summary>An object appeared (first list, a watch, or a relist that found it).</summary>
    void OnAdd(T item);

    /// <summary>An object changed; on a resync, <paramref name="oldItem"/> and <paramref name="newItem"/> are the same object.</summary>
    void OnUpdate(T oldItem, T newItem);

    /// <summary>An object is gone; the last state the informer knew.</summary>
    void OnDelete(T item);
}
