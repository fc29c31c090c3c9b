namespace Lamina.CodeStore;

/// <summary>A zip longer than the store takes (<see cref="CodeStoreLimits.MaxZipBytes"/>); nothing of it is kept.</summary>
public sealed class CodeTooLargeException(long limit)
    : Exception($"the zip is larger than {limit} bytes, the most the code store takes (Lambda's 250 MB unzipped limit: a zip cannot usefully be larger)")
{
    /// <summary>The limit in bytes.</summary>
    public long Limit { get; } = limit;
}
