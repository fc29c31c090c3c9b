namespace Lamina.CodeStore;

/// <summary>A zip in the code store: what a Function's spec names it by.</summary>
/// <param name="Sha256Hex">The SHA-256 of the zip, 64 lowercase hex digits (the blob's digest without <c>sha256:</c>).</param>
/// <param name="Size">The zip's length in bytes.</param>
/// <param name="CodeSha256">Lambda's <c>CodeSha256</c>: the base64 of the same 32 bytes.</param>
public sealed record StoredCode(string Sha256Hex, long Size, string CodeSha256)
{
    /// <summary>The blob's digest as the registry spells it: <c>sha256:&lt;hex&gt;</c>.</summary>
    public string Digest => Lamina.Contracts.Code.CodeFetchContract.DigestPrefix + Sha256Hex;

    /// <summary>The tag of the zip's manifest in its repository: <c>sha256-&lt;hex&gt;</c> (a tag may not hold ':').</summary>
    public string Tag => "sha256-" + Sha256Hex;

    /// <summary>A stored zip from its hash.</summary>
    public static StoredCode FromHash(ReadOnlySpan<byte> sha256, long size) =>
        new(Convert.ToHexStringLower(sha256), size, Convert.ToBase64String(sha256));
}
