using Lamina.Kubernetes.Informers;
using Lamina.Kubernetes.Models;

namespace Lamina.Kubernetes.Tests.Informers;

/// <summary>Writes each call as a line (<c>add ns/a@1</c>, <c>update ns/a@1-&gt;2</c>, <c>delete ns/a@2</c>) so tests compare whole histories.</summary>
internal sealed class RecordingHandler : IInformerHandler<Secret>
{
    private readonly Lock _gate = new();
    private readonly List<string> _calls = [];
    private readonly List<(Secret Old, Secret New)> _updates = [];

    public IReadOnlyList<string> Calls
    {
        get { lock (_gate) { return [.. _calls]; } }
    }

    public IReadOnlyList<(Secret Old, Secret New)> Updates
    {
        get { lock (_gate) { return [.. _updates]; } }
    }

    public void OnAdd(Secret item) => Record($"add {Key(item)}@{item.Metadata.ResourceVersion}");

    public void OnUpdate(Secret oldItem, Secret newItem)
    {
        lock (_gate)
        {
            _updates.Add((oldItem, newItem));
        }

        Record($"update {Key(newItem)}@{oldItem.Metadata.ResourceVersion}->{newItem.Metadata.ResourceVersion}");
    }

    public void OnDelete(Secret item) => Record($"delete {Key(item)}@{item.Metadata.ResourceVersion}");

    private static string Key(Secret item) => ObjectKey.Of(item);

    private void Record(string call)
    {
        lock (_gate)
        {
            _calls.Add(call);
        }
    }
}
