using System.Text;

namespace Lamina.Gateway.Auth;

/// <summary>
/// A growable UTF-8 buffer that a canonical request and a string to sign are written into. One is
/// kept per thread (verification is synchronous), so once it has grown to a request's size,
/// verifying allocates nothing for them.
/// </summary>
internal sealed class SigV4Buffer
{
    /// <summary>
    /// A canonical request is a few hundred bytes (X-Amz-Client-Context, the largest header Lambda
    /// defines, is at most 3583); a buffer grown far past that by an odd request is not kept.
    /// </summary>
    private const int RetainedCapacity = 16 * 1024;

    [ThreadStatic]
    private static SigV4Buffer? t_cached;

    private byte[] _bytes = new byte[1024];
    private int _length;

    /// <summary>What has been written.</summary>
    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

    /// <summary>This thread's buffer, empty; give it back with <see cref="Return"/>.</summary>
    public static SigV4Buffer Rent()
    {
        var buffer = t_cached ?? new SigV4Buffer();
        t_cached = null;
        buffer._length = 0;
        return buffer;
    }

    public static void Return(SigV4Buffer buffer)
    {
        if (buffer._bytes.Length <= RetainedCapacity)
        {
            t_cached = buffer;
        }
    }

    public void Clear() => _length = 0;

    public void Append(byte value)
    {
        Reserve(1);
        _bytes[_length++] = value;
    }

    /// <summary>Text as UTF-8.</summary>
    public void Append(ReadOnlySpan<char> text)
    {
        Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _bytes.AsSpan(_length));
    }

    /// <summary>Bytes as lowercase hex (SigV4's form of hashes and signatures).</summary>
    public void AppendHex(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length * 2);
        foreach (var b in bytes)
        {
            _bytes[_length++] = (byte)"0123456789abcdef"[b >> 4];
            _bytes[_length++] = (byte)"0123456789abcdef"[b & 0xF];
        }
    }

    /// <summary>
    /// One byte in AWS's URI encoding: the RFC 3986 unreserved characters as they are, <c>/</c> as it
    /// is when <paramref name="keepSlash"/>, anything else as <c>%XX</c> with uppercase hex.
    /// </summary>
    public void AppendEncoded(byte value, bool keepSlash)
    {
        if (AwsUriEncoding.IsUnreserved(value) || (keepSlash && value == (byte)'/'))
        {
            Append(value);
        }
        else
        {
            AppendPercent(value);
        }
    }

    /// <summary>Text in AWS's URI encoding, over its UTF-8 bytes.</summary>
    public void AppendEncoded(ReadOnlySpan<char> text, bool keepSlash)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            var count = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < count; i++)
            {
                AppendEncoded(utf8[i], keepSlash);
            }
        }
    }

    /// <summary>
    /// Decoded text as a client's signer sees it in the canonical URI: encoded once as the client
    /// put it on the wire, then once more (<c>%</c> becomes <c>%25</c>), over UTF-8. Only for a path
    /// that is not available as sent.
    /// </summary>
    public void AppendDoubleEncoded(ReadOnlySpan<char> text)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            var count = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < count; i++)
            {
                if (AwsUriEncoding.IsUnreserved(utf8[i]) || utf8[i] == (byte)'/')
                {
                    Append(utf8[i]);
                }
                else
                {
                    // "%25" and the byte's two hex digits: "%XX" with its "%" encoded.
                    AppendPercent((byte)'%');
                    Reserve(2);
                    _bytes[_length++] = (byte)"0123456789ABCDEF"[utf8[i] >> 4];
                    _bytes[_length++] = (byte)"0123456789ABCDEF"[utf8[i] & 0xF];
                }
            }
        }
    }

    /// <summary><c>%XX</c>, uppercase hex.</summary>
    public void AppendPercent(byte value)
    {
        Reserve(3);
        _bytes[_length++] = (byte)'%';
        _bytes[_length++] = (byte)"0123456789ABCDEF"[value >> 4];
        _bytes[_length++] = (byte)"0123456789ABCDEF"[value & 0xF];
    }

    public override string ToString() => Encoding.UTF8.GetString(Written);

    private void Reserve(int count)
    {
        if (_length + count <= _bytes.Length)
        {
            return;
        }

        var grown = new byte[Math.Max(_bytes.Length * 2, _length + count)];
        _bytes.AsSpan(0, _length).CopyTo(grown);
        _bytes = grown;
    }
}
