using Lamina.Kubernetes.Client;
using k8s.Models;
using Lamina.Operator.Reconciliation;
using Lamina.Testing.Fakes;

namespace Lamina.Operator.Tests.Reconciliation;

/// <summary>A pod lister that reads the fake API server's current pods (an always-synced cache); lists are reads, never writes.</summary>
internal sealed class FakePodLister(FakeKubernetesClient client) : IPodLister
{
    public IReadOnlyList<V1Pod> ListForFunction(string ns, string function) =>
        // The fake answers synchronously.
        client.ListAsync<V1Pod>(ns, new ListOptions { LabelSelector = $"{Names.FunctionLabel}={function}" }).GetAwaiter().GetResult().Items.ToList();
}
