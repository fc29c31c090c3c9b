namespace Lamina.Kubernetes.Informers;

/// <summary>An <see cref="IInformerHandler{T}"/> from up to three delegates.</summary>
internal sealed class DelegateInformerHandler<T>(Action<T>? onAdd, Action<T, T>? onUpdate, Action<T>? onDelete) : IInformerHandler<T>
{
    public void OnAdd(T item) => onAdd?.Invoke(item);

    public void OnUpdate(T oldItem, T newItem) => onUpdate?.Invoke(oldItem, newItem);

    public void OnDelete(T item) => onDelete?.Invoke(item);
}
