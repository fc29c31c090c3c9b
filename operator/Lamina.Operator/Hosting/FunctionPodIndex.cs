using Lamina.Kubernetes.Informers;
using k8s.Models;
using Lamina.Operator.Reconciliation;

namespace Lamina.Operator.Hosting;

/// <summary>
/// The pod informer's cache by function, so that a reconcile reads its own pods without scanning
/// every function pod in the cluster (client-go's indexers do the same). An informer handler keeps
/// it current; it is added before the handler that queues the Function, so a reconcile never
/// reads an index older than the change that queued it.
/// </summary>
internal sealed class FunctionPodIndex : IInformerHandler<V1Pod>, IPodLister
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, V1Pod>> _byFunction = new(StringComparer.Ordinal);

    public IReadOnlyList<V1Pod> ListForFunction(string ns, string function)
    {
        lock (_gate)
        {
            return _byFunction.TryGetValue(ObjectKey.Of(ns, function), out var pods) ? [.. pods.Values] : [];
        }
    }

    public void OnAdd(V1Pod item) => Put(item);

    public void OnUpdate(V1Pod oldItem, V1Pod newItem)
    {
        Remove(oldItem); // the function label may have been edited
        Put(newItem);
    }

    public void OnDelete(V1Pod item) => Remove(item);

    /// <summary>The function a pod belongs to: its <c>lamina.dev/function</c> label, as a queue key.</summary>
    public static string? FunctionKey(V1Pod pod) =>
        pod.Metadata.Labels?.TryGetValue(Names.FunctionLabel, out var function) == true && function.Length > 0
            ? ObjectKey.Of(pod.Metadata.NamespaceProperty, function)
            : null;

    private void Put(V1Pod pod)
    {
        if (FunctionKey(pod) is not { } key)
        {
            return;
        }

        lock (_gate)
        {
            if (!_byFunction.TryGetValue(key, out var pods))
            {
                _byFunction[key] = pods = new Dictionary<string, V1Pod>(StringComparer.Ordinal);
            }

            pods[pod.Metadata.Name ?? ""] = pod;
        }
    }

    private void Remove(V1Pod pod)
    {
        if (FunctionKey(pod) is not { } key)
        {
            return;
        }

        lock (_gate)
        {
            if (_byFunction.TryGetValue(key, out var pods) && pods.Remove(pod.Metadata.Name ?? "") && pods.Count == 0)
            {
                _byFunction.Remove(key);
            }
        }
    }
}
