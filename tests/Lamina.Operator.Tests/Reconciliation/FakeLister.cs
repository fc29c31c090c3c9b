using k8s;
using k8s.Models;
using Lamina.Operator.Reconciliation;
using Lamina.Testing.Fakes;

namespace Lamina.Operator.Tests.Reconciliation;

/// <summary>A lister that reads the fake API server's current objects (an always-synced cache).</summary>
internal sealed class FakeLister<T>(FakeKubernetesClient client) : IObjectLister<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public T? Get(string? ns, string name) => client.Peek<T>(ns, name);

    public IReadOnlyList<T> List() =>
        // The fake answers synchronously; a list is a read, never a write.
        [.. client.ListAsync<T>(null).GetAwaiter().GetResult().Items];
}
