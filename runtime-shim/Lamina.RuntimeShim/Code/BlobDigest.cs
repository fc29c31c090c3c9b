using System.Globalization;
using Lamina.Contracts.Code;

namespace Lamina.RuntimeShim.Code;

/// <summary>
/// A blob named as the Function's spec names it: <c>sha256:&lt;64 lowercase hex&gt;:&lt;size in bytes&gt;</c>.
/// The size is part of the name so a fetch can stop reading the moment a store sends more than it
/// should, and refuse a short blob without hashing a stream that never ends.
/// </summary>
internal readonly record struct BlobDigest(string Hex, long Size)
{
    private const int HexLength = 64;

    /// <summary>Parses <paramref name="text"/>, or says why it is not a blob's name.</summary>
    public static bool TryParse(string text, out BlobDigest digest, out string error)
    {
        digest = default;
        if (!text.StartsWith(CodeFetchContract.DigestPrefix, StringComparison.Ordinal))
        {
            error = $"'{text}' is not sha256:<64 lowercase hex digits>:<size in bytes>";
            return false;
        }

        var rest = text.AsSpan(CodeFetchContract.DigestPrefix.Length);
        var colon = rest.IndexOf(':');
        var hex = colon < 0 ? rest : rest[..colon];
        if (hex.Length != HexLength || !IsLowercaseHex(hex))
        {
            error = $"'{text}': the digest must be 64 lowercase hex digits after sha256:";
            return false;
        }

        if (colon < 0
            || !long.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || size < 1)
        {
            error = $"'{text}': the size in bytes (a whole number above 0) must follow the digest, as sha256:<hex>:<size>";
            return false;
        }

        digest = new BlobDigest(hex.ToString(), size);
        error = string.Empty;
        return true;
    }

    /// <summary><c>sha256:&lt;hex&gt;</c>, as OCI and the store name it.</summary>
    public override string ToString() => CodeFetchContract.DigestPrefix + Hex;

    private static bool IsLowercaseHex(ReadOnlySpan<char> hex)
    {
        foreach (var c in hex)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
