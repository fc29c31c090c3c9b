using Lamina.Contracts.Code;

namespace Lamina.RuntimeShim.Code;

/// <summary>What one fetch may unpack, for the function's zip and all its layers together.</summary>
internal sealed record UnpackLimits
{
    /// <summary>Lambda's limits; tests lower them to stay small.</summary>
    public static UnpackLimits Default { get; } = new();

    /// <summary>Bytes written, counted as they are written (never from the zip's headers, which can lie).</summary>
    public long MaximumBytes { get; init; } = CodeFetchContract.MaxUnzippedBytes;

    /// <summary>
    /// Entries of all archives together. Lambda sets no such number, but the shim's heap is capped at
    /// 64 MB (the csproj's GCHeapHardLimit, compiled in) and .NET's ZipArchive holds every entry of an
    /// archive at once: measured with the published shim, 70,000 entries of 75-character paths still
    /// unpack and 100,000 run out of memory. 50,000 keeps a margin, and is several times a large
    /// node_modules tree.
    /// </summary>
    public int MaximumEntries { get; init; } = 50_000;

    /// <summary>
    /// The central directory of one archive (the list of its entries, which ZipArchive reads whole),
    /// checked before ZipArchive opens it: names and extra fields of 50,000 typical entries need a
    /// fraction of this, and a crafted directory of millions of tiny entries stops here.
    /// </summary>
    public long MaximumDirectoryBytes { get; init; } = 16 * 1024 * 1024;
}
