using System.Security.Cryptography;
using System.Text;
using Lamina.Contracts.Shim;
using Org.BouncyCastle.Crypto.Digests;

namespace Lamina.RuntimeShim.Invoke;

/// <summary>
/// Who may use the invoke contract: only Lamina's gateways, which present the token the operator keeps
/// in its Secret (<c>lamina-invoke-token</c>) in the <see cref="ShimInvokeContract.Headers.Token"/> header. The pod
/// learns only the tokens' SHA-256 hashes (<see cref="ShimPodEnvironment.InvokeTokenSha256"/>, set by the operator): the function's
/// own code runs as the same user and can read the shim's environment, and a hash lets it verify
/// nothing it could present. Several hashes are accepted at once, so the token rotates without a pause
/// (docs/concurrency.md). Without the variable only the local emulator (<c>--local</c>) accepts every
/// caller; a function pod without hashes (a broken Secret, an operator that never read one) refuses
/// every caller: a missing credential must not open the pod.
/// </summary>
internal sealed class InvokeTokens
{
    private readonly byte[][] _accepted;

    private InvokeTokens(bool required, byte[][] accepted) => (Required, _accepted) = (required, accepted);

    /// <summary>Every caller is accepted (the local emulator, and unit tests of the handler).</summary>
    public static InvokeTokens None { get; } = new(false, []);

    /// <summary>No caller is accepted: a function pod that was given no hash.</summary>
    public static InvokeTokens Nobody { get; } = new(true, []);

    /// <summary>True when a caller must present a token.</summary>
    public bool Required { get; }

    /// <summary>Whether no caller at all can get in (a function pod without a valid hash).</summary>
    public bool RefusesEveryone => Required && _accepted.Length == 0;

    /// <summary>
    /// The hashes in <paramref name="value"/>; entries that are not 64 hex digits are ignored. A value
    /// with no valid hash at all refuses every caller: a damaged variable must not open the pod. Without
    /// a value, <paramref name="local"/> (the emulator, on loopback) accepts everyone and a function
    /// pod accepts no one.
    /// </summary>
    public static InvokeTokens Parse(string? value, bool local)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return local ? None : Nobody;
        }

        var accepted = new List<byte[]>();
        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.Length == 64)
            {
                try
                {
                    accepted.Add(Convert.FromHexString(entry));
                }
                catch (FormatException)
                {
                    // Not a hash: ignored, like an empty entry.
                }
            }
        }

        return new InvokeTokens(true, [.. accepted]);
    }

    /// <summary>Whether <paramref name="presented"/> hashes to an accepted hash (compared in constant time).</summary>
    public bool Accepts(string? presented)
    {
        if (!Required)
        {
            return true;
        }

        if (string.IsNullOrEmpty(presented) || presented.Length > 256)
        {
            return false;
        }

        // Not SHA256.HashData: on Linux it needs OpenSSL, which a function's image may not have.
        var digest = new Sha256Digest();
        var bytes = Encoding.UTF8.GetBytes(presented);
        digest.BlockUpdate(bytes, 0, bytes.Length);
        var hash = new byte[digest.GetDigestSize()];
        digest.DoFinal(hash, 0);
        var accepted = false;
        foreach (var candidate in _accepted)
        {
            accepted |= CryptographicOperations.FixedTimeEquals(hash, candidate);
        }

        return accepted;
    }
}
