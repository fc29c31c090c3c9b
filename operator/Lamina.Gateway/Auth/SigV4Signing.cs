using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Lamina.Gateway.Auth;

/// <summary>SigV4's signing key chain and signature (HMAC-SHA256 throughout).</summary>
internal static class SigV4Signing
{
    /// <summary>The one algorithm SigV4 header authentication names.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The last element of every credential scope.</summary>
    public const string Terminator = "aws4_request";

    /// <summary>The length of a signature: 32 bytes as lowercase hex.</summary>
    public const int SignatureLength = 2 * HMACSHA256.HashSizeInBytes;

    /// <summary>
    /// The signature of <paramref name="stringToSign"/>: <c>kDate = HMAC("AWS4" + secret, date)</c>,
    /// then region, service and <c>aws4_request</c>, then the string to sign, as lowercase hex.
    /// </summary>
    public static void Sign(
        string secretAccessKey,
        ReadOnlySpan<char> date,
        ReadOnlySpan<char> region,
        ReadOnlySpan<char> service,
        ReadOnlySpan<byte> stringToSign,
        Span<char> signature)
    {
        var secretLength = Encoding.UTF8.GetByteCount(secretAccessKey) + 4;
        byte[]? rented = null;
        var secret = secretLength <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(secretLength));
        Span<byte> a = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> b = stackalloc byte[HMACSHA256.HashSizeInBytes];
        try
        {
            "AWS4"u8.CopyTo(secret);
            Encoding.UTF8.GetBytes(secretAccessKey, secret[4..]);
            Hmac(secret[..secretLength], date, a);
            Hmac(a, region, b);
            Hmac(b, service, a);
            Hmac(a, Terminator, b);
            HMACSHA256.HashData(b, stringToSign, a);
            Convert.TryToHexStringLower(a, signature, out _);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(a);
            CryptographicOperations.ZeroMemory(b);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<char> text, Span<byte> destination)
    {
        // Scope elements are short (20150830, us-east-1, lambda); a longer one was refused earlier.
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(SigV4Authorization.MaxScopeElementLength)];
        var length = Encoding.UTF8.GetBytes(text, utf8);
        HMACSHA256.HashData(key, utf8[..length], destination);
    }
}
