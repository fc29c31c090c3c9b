using System.Buffers;
using System.Text;

namespace Lamina.Gateway.Auth;

/// <summary>
/// AWS's URI encoding for SigV4 (RFC 3986): every byte except the unreserved characters
/// <c>A-Z a-z 0-9 - _ . ~</c> is <c>%XX</c> with uppercase hex, over UTF-8.
/// </summary>
internal static class AwsUriEncoding
{
    private static readonly SearchValues<byte> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"u8);

    public static bool IsUnreserved(byte value) => Unreserved.Contains(value);

    /// <summary>
    /// One query-string key or value as the canonical query string wants it: percent-decoded
    /// (a malformed escape stays as it is), then encoded again, so that <c>%24</c>, <c>%2a</c> and a
    /// raw <c>$</c> all come out as <c>%24</c> / <c>%2A</c> whichever way the client wrote them.
    /// <c>+</c> is a plus sign, not a space: the AWS SDKs encode a space as <c>%20</c>.
    /// </summary>
    public static string CanonicalQueryComponent(ReadOnlySpan<char> raw)
    {
        // Every byte becomes at most "%XX", and a char at most 3 UTF-8 bytes: 9 chars per char.
        var rented = ArrayPool<char>.Shared.Rent(Math.Max(16, raw.Length * 9));
        try
        {
            var output = rented.AsSpan();
            var length = 0;
            Span<byte> utf8 = stackalloc byte[4];
            for (var i = 0; i < raw.Length; i++)
            {
                var c = raw[i];
                if (c == '%' && i + 2 < raw.Length && char.IsAsciiHexDigit(raw[i + 1]) && char.IsAsciiHexDigit(raw[i + 2]))
                {
                    length = Append(output, length, (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2])));
                    i += 2;
                }
                else if (c < 0x80)
                {
                    length = Append(output, length, (byte)c);
                }
                else
                {
                    // A surrogate pair is one rune; a lone surrogate becomes U+FFFD, as UTF-8 encoders do.
                    var consumed = char.IsHighSurrogate(c) && i + 1 < raw.Length && char.IsLowSurrogate(raw[i + 1]) ? 2 : 1;
                    var rune = consumed == 2 ? new Rune(c, raw[i + 1]) : Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar;
                    var count = rune.EncodeToUtf8(utf8);
                    for (var k = 0; k < count; k++)
                    {
                        length = Append(output, length, utf8[k]);
                    }

                    i += consumed - 1;
                }
            }

            return new string(output[..length]);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static int Append(Span<char> output, int length, byte value)
    {
        if (IsUnreserved(value))
        {
            output[length] = (char)value;
            return length + 1;
        }

        output[length] = '%';
        output[length + 1] = "0123456789ABCDEF"[value >> 4];
        output[length + 2] = "0123456789ABCDEF"[value & 0xF];
        return length + 3;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
