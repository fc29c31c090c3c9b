using Lamina.Kubernetes.Informers;
using k8s.Models;

namespace Lamina.Kubernetes.Tests.Informers;

/// <summary>Writes each call as a line (<c>add ns/a@1</c>, <c>update ns/a@1-&gt;2</c>, <c>delete ns/a@2</c>) so tests compare whole histories.</summary>
internal sealed class RecordingHandler : IInformerHandler<V1Secret>
{
    private readonly Lock _gate = new();
    private readonly List<string> _calls = [];
    private readonly List<(V1Secret Old, V1Secret New)> _updates = [];

    public IReadOnlyList<string> Calls
    {
        get { lock (_gate) { return [.. _calls]; } }
    }

    public IReadOnlyList<(V1Secret Old, V1Secret New)> Updates
    {
        get { lock (_gate) { return [.. _updates]; } }
    }

    public void OnAdd(V1Secret item) => Record($"add {Key(item)}@{item.Metadata.ResourceVersion}");

    public void OnUpdate(V1Secret oldItem, V1Secret newItem)
    {
        lock (_gate)
        {
            _updates.Add((oldItem, newItem));
        }

        Record($"update {Key(newItem)}@{oldItem.Metadata.ResourceVersion}->{newItem.Metadata.ResourceVersion}");
    }

    public void OnDelete(V1Secret item) => Record($"delete {Key(item)}@{item.Metadata.ResourceVersion}");

    private static string Key(V1Secret item) => ObjectKey.Of(item);

    private void Record(string call)
    {
        lock (_gate)
        {
            _calls.Add(call);
        }
    }
}
