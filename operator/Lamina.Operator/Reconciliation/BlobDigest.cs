using System.Globalization;
using Lamina.Contracts.Code;

namespace Lamina.Operator.Reconciliation;

/// <summary>A blob of the code store by content: its SHA-256 (lowercase hex) and size in bytes.</summary>
internal readonly record struct BlobDigest(string Sha256, long Size)
{
    /// <summary>The fetch command's form of it: <c>sha256:&lt;hex&gt;:&lt;size&gt;</c>.</summary>
    public string ToArgument() => string.Create(CultureInfo.InvariantCulture, $"{CodeFetchContract.DigestPrefix}{Sha256}:{Size}");
}
