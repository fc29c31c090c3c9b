using Lamina.Kubernetes.Informers;
using Lamina.Kubernetes.Models;
using Lamina.Operator.Reconciliation;

namespace Lamina.Operator.Hosting;

/// <summary>
/// The pod informer's cache by function, so that a reconcile reads its own pods without scanning
/// every function pod in the cluster (client-go's indexers do the same). An informer handler keeps
/// it current; it is added before the handler that queues the Function, so a reconcile never
/// reads an index older than the change that queued it.
/// </summary>
internal sealed class FunctionPodIndex : IInformerHandler<Pod>, IPodLister
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, Pod>> _byFunction = new(StringComparer.Ordinal);

    public IReadOnlyList<Pod> ListForFunction(string ns, string function)
    {
        lock (_gate)
        {
            return _byFunction.TryGetValue(ObjectKey.Of(ns, function), out var pods) ? [.. pods.Values] : [];
        }
    }

    public void OnAdd(Pod item) => Put(item);

    public void OnUpdate(Pod oldItem, Pod newItem)
    {
        Remove(oldItem); // the function label may have been edited
        Put(newItem);
    }

    public void OnDelete(Pod item) => Remove(item);

    /// <summary>The function a pod belongs to: its <c>lamina.dev/function</c> label, as a queue key.</summary>
    public static string? FunctionKey(Pod pod) =>
        pod.Metadata.Labels?.TryGetValue(Names.FunctionLabel, out var function) == true && function.Length > 0
            ? ObjectKey.Of(pod.Metadata.Namespace, function)
            : null;

    private void Put(Pod pod)
    {
        if (FunctionKey(pod) is not { } key)
        {
            return;
        }

        lock (_gate)
        {
            if (!_byFunction.TryGetValue(key, out var pods))
            {
                _byFunction[key] = pods = new Dictionary<string, Pod>(StringComparer.Ordinal);
            }

            pods[pod.Metadata.Name ?? ""] = pod;
        }
    }

    private void Remove(Pod pod)
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
