using System.Security.Cryptography;
using System.Text;

namespace Lamina.RuntimeShim.Invoke;

/// <summary>
/// Who may use the invoke contract: only Lamina's gateways, which present the token the operator keeps
/// in its Secret (<c>lamina-invoke-token</c>) in the <see cref="InvokeContract.Token"/> header. The pod
/// learns only the tokens' SHA-256 hashes (<see cref="Variable"/>, set by the operator): the function's
/// own code runs as the same user and can read the shim's environment, and a hash lets it verify
/// nothing it could present. Several hashes are accepted at once, so the token rotates without a pause
/// (docs/concurrency.md). Without the variable (local mode, tests), every caller is accepted.
/// </summary>
internal sealed class InvokeTokens
{
    /// <summary>The pod's variable: comma-separated lowercase hex SHA-256 hashes of the accepted tokens.</summary>
    public const string Variable = "LAMINA_INVOKE_TOKEN_SHA256";

    private readonly byte[][] _accepted;

    private InvokeTokens(byte[][] accepted) => _accepted = accepted;

    /// <summary>Every caller is accepted.</summary>
    public static InvokeTokens None { get; } = new([]);

    /// <summary>True when a caller must present a token.</summary>
    public bool Required => _accepted.Length > 0;

    /// <summary>The hashes in <paramref name="value"/>; entries that are not 64 hex digits are ignored.</summary>
    public static InvokeTokens Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return None;
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

        return new InvokeTokens([.. accepted]);
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

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        var accepted = false;
        foreach (var candidate in _accepted)
        {
            accepted |= CryptographicOperations.FixedTimeEquals(hash, candidate);
        }

        return accepted;
    }
}
