using k8s;
using k8s.Models;
using Lamina.Kubernetes.Informers;
using Lamina.Operator.Reconciliation;

namespace Lamina.Operator.Hosting;

/// <summary>Reads the reconciler's objects from an informer's store (no API request).</summary>
internal sealed class InformerLister<T>(InformerStore<T> store) : IObjectLister<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public T? Get(string? ns, string name) => store.Get(ns, name);

    public IReadOnlyList<T> List() => store.List();
}
