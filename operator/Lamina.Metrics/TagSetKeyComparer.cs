namespace Lamina.Metrics;

/// <summary>
/// Compares a caller's tag span with a stored <see cref="TagSetKey"/> without copying the span, so
/// recording a measurement whose tags were seen before allocates nothing.
/// </summary>
internal sealed class TagSetKeyComparer :
    IEqualityComparer<TagSetKey>,
    IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, TagSetKey>
{
    public static TagSetKeyComparer Instance { get; } = new();

    public bool Equals(TagSetKey? x, TagSetKey? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.Hash == y.Hash && SameTags(x.Tags, y.Tags));

    public int GetHashCode(TagSetKey obj) => obj.Hash;

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, TagSetKey other) =>
        SameTags(alternate, other.Tags);

    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => Hash(alternate);

    public TagSetKey Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => new(alternate.ToArray(), Hash(alternate));

    private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = new HashCode();
        foreach (var tag in tags)
        {
            hash.Add(tag.Key, StringComparer.Ordinal);
            hash.Add(tag.Value);
        }

        return hash.ToHashCode();
    }

    private static bool SameTags(ReadOnlySpan<KeyValuePair<string, object?>> x, ReadOnlySpan<KeyValuePair<string, object?>> y)
    {
        if (x.Length != y.Length)
        {
            return false;
        }

        for (var i = 0; i < x.Length; i++)
        {
            // object.Equals compares strings by content and boxed numbers by value, without allocating.
            if (!string.Equals(x[i].Key, y[i].Key, StringComparison.Ordinal) || !Equals(x[i].Value, y[i].Value))
            {
                return false;
            }
        }

        return true;
    }
}
