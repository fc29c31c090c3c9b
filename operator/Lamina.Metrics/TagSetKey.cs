namespace Lamina.Metrics;

/// <summary>
/// A measurement's tags exactly as the caller passed them (same order), the key of the per-metric
/// series cache. Built once per new tag combination; lookups compare against the caller's span.
/// </summary>
internal sealed class TagSetKey(KeyValuePair<string, object?>[] tags, int hash)
{
    public KeyValuePair<string, object?>[] Tags { get; } = tags;

    public int Hash { get; } = hash;
}
