namespace Lamina.Kubernetes.Events;

/// <summary>
/// The recorder's memory of recent Events, least recently used forgotten first, so aggregation
/// costs bounded memory however many objects the operator reports on. Used by one thread only.
/// </summary>
internal sealed class EventCache(int capacity)
{
    private readonly Dictionary<EventKey, LinkedListNode<(EventKey Key, AggregatedEvent Value)>> _entries = [];
    private readonly LinkedList<(EventKey Key, AggregatedEvent Value)> _byUse = new();

    public int Count => _entries.Count;

    public bool TryGet(EventKey key, out AggregatedEvent value)
    {
        if (_entries.TryGetValue(key, out var node))
        {
            _byUse.Remove(node);
            _byUse.AddFirst(node);
            value = node.Value.Value;
            return true;
        }

        value = null!;
        return false;
    }

    public void Set(EventKey key, AggregatedEvent value)
    {
        if (_entries.TryGetValue(key, out var node))
        {
            _byUse.Remove(node);
        }
        else if (_entries.Count >= capacity && _byUse.Last is { } oldest)
        {
            _byUse.RemoveLast();
            _entries.Remove(oldest.Value.Key);
        }

        _entries[key] = _byUse.AddFirst((key, value));
    }
}
