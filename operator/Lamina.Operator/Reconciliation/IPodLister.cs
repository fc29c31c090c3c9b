using k8s.Models;

namespace Lamina.Operator.Reconciliation;

/// <summary>Reads a function's pods from a cache (the pod informer's, indexed by function, in the operator; a fake in tests).</summary>
internal interface IPodLister
{
    /// <summary>The pods labelled <c>lamina.dev/function=<paramref name="function"/></c> in <paramref name="ns"/>, in no particular order.</summary>
    IReadOnlyList<V1Pod> ListForFunction(string ns, string function);
}
