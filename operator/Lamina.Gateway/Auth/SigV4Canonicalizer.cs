using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;

namespace Lamina.Gateway.Auth;

/// <summary>
/// Writes a request's SigV4 canonical request (method, canonical URI, canonical query string,
/// canonical headers, signed headers, hex SHA-256 of the body, one per line) exactly as botocore
/// computes it for service <c>lambda</c>, which is what the AWS CLI and boto3 sign.
/// </summary>
internal static class SigV4Canonicalizer
{
    /// <summary>Paths with up to this many segments are split on the stack (an Invoke path has five).</summary>
    private const int StackSegments = 32;

    /// <summary>The whole canonical request; <paramref name="signedHeaders"/> as the Authorization header lists them, <c>;</c>-separated.</summary>
    public static void WriteCanonicalRequest(SigV4Buffer buffer, HttpRequest request, ReadOnlySpan<char> signedHeaders, ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        WriteCanonicalRequestWithBodyHash(buffer, request, signedHeaders, hash);
    }

    /// <summary>The whole canonical request, given the body's SHA-256 (hashed as it was read, or from a buffer).</summary>
    public static void WriteCanonicalRequestWithBodyHash(SigV4Buffer buffer, HttpRequest request, ReadOnlySpan<char> signedHeaders, ReadOnlySpan<byte> bodySha256)
    {
        buffer.Append(request.Method);
        buffer.Append((byte)'\n');
        WriteCanonicalUri(buffer, request);
        buffer.Append((byte)'\n');
        WriteCanonicalQuery(buffer, request.QueryString.Value);
        buffer.Append((byte)'\n');
        WriteCanonicalHeaders(buffer, request.Headers, signedHeaders);
        buffer.Append((byte)'\n');
        buffer.AppendHex(bodySha256);
    }

    /// <summary>
    /// The path as the client sent it, normalised (empty and <c>.</c> segments dropped, <c>..</c>
    /// applied: botocore's <c>normalize_url_path</c>) and URI-encoded once more with <c>/</c> kept.
    /// botocore's serialiser has already encoded each label once (<c>:</c> as <c>%3A</c>, <c>$</c> as
    /// <c>%24</c>), so an ARN's colons are <c>%253A</c> here: AWS's rule for every service but S3.
    /// </summary>
    public static void WriteCanonicalUri(SigV4Buffer buffer, HttpRequest request)
    {
        var path = PathAsSent(request, out var asSent);
        if (path.IsEmpty)
        {
            buffer.Append((byte)'/');
            return;
        }

        var count = path.Count('/') + 1;
        Range[]? rented = null;
        var segments = count <= StackSegments ? stackalloc Range[StackSegments] : (rented = ArrayPool<Range>.Shared.Rent(count));
        try
        {
            var total = path.Split(segments, '/');
            var kept = 0;
            for (var i = 0; i < total; i++)
            {
                var segment = path[segments[i]];
                if (segment.IsEmpty || segment is ".")
                {
                    continue;
                }

                if (segment is "..")
                {
                    kept = Math.Max(0, kept - 1);
                    continue;
                }

                segments[kept++] = segments[i];
            }

            if (path[0] == '/')
            {
                buffer.Append((byte)'/');
            }

            for (var i = 0; i < kept; i++)
            {
                if (i > 0)
                {
                    buffer.Append((byte)'/');
                }

                if (asSent)
                {
                    buffer.AppendEncoded(path[segments[i]], keepSlash: true);
                }
                else
                {
                    buffer.AppendDoubleEncoded(path[segments[i]]);
                }
            }

            if (path[^1] == '/' && kept > 0)
            {
                buffer.Append((byte)'/');
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<Range>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// <c>key=value</c> pairs, each side decoded and re-encoded (<see cref="AwsUriEncoding.CanonicalQueryComponent"/>),
    /// sorted by key then value, joined with <c>&amp;</c>; a key without <c>=</c> has an empty value.
    /// </summary>
    public static void WriteCanonicalQuery(SigV4Buffer buffer, string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return;
        }

        var text = query.AsSpan(query[0] == '?' ? 1 : 0);
        if (text.IsEmpty)
        {
            return;
        }

        // Allocates, but only for a request with a query string (an Invoke has at most Qualifier).
        var pairs = new KeyValuePair<string, string>[text.Count('&') + 1];
        var n = 0;
        foreach (var range in text.Split('&'))
        {
            var pair = text[range];
            var equals = pair.IndexOf('=');
            pairs[n++] = equals < 0
                ? new(AwsUriEncoding.CanonicalQueryComponent(pair), "")
                : new(AwsUriEncoding.CanonicalQueryComponent(pair[..equals]), AwsUriEncoding.CanonicalQueryComponent(pair[(equals + 1)..]));
        }

        Array.Sort(pairs, static (x, y) =>
        {
            var byKey = string.CompareOrdinal(x.Key, y.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(x.Value, y.Value);
        });

        for (var i = 0; i < pairs.Length; i++)
        {
            if (i > 0)
            {
                buffer.Append((byte)'&');
            }

            buffer.Append(pairs[i].Key);
            buffer.Append((byte)'=');
            buffer.Append(pairs[i].Value);
        }
    }

    /// <summary>
    /// <c>name:value</c> per signed header, lowercase names in order, values trimmed with inner runs
    /// of whitespace collapsed to one space, several values of one header joined with <c>,</c>; then a
    /// blank line and the signed header names joined with <c>;</c>.
    /// </summary>
    public static void WriteCanonicalHeaders(SigV4Buffer buffer, IHeaderDictionary headers, ReadOnlySpan<char> signedHeaders)
    {
        if (IsLowercaseAndSorted(signedHeaders))
        {
            foreach (var range in signedHeaders.Split(';'))
            {
                WriteHeader(buffer, headers, signedHeaders[range]);
            }

            buffer.Append((byte)'\n');
            buffer.Append(signedHeaders);
            return;
        }

        // A client that lists names in another order or case still signed them sorted and lowercase.
        var names = new string[signedHeaders.Count(';') + 1];
        var n = 0;
        foreach (var range in signedHeaders.Split(';'))
        {
            names[n++] = signedHeaders[range].ToString().ToLowerInvariant();
        }

        Array.Sort(names, StringComparer.Ordinal);
        foreach (var name in names)
        {
            WriteHeader(buffer, headers, name);
        }

        buffer.Append((byte)'\n');
        for (var i = 0; i < names.Length; i++)
        {
            if (i > 0)
            {
                buffer.Append((byte)';');
            }

            buffer.Append(names[i]);
        }
    }

    /// <summary>
    /// The request target's path exactly as it came on the request line (Kestrel keeps it as
    /// <see cref="IHttpRequestFeature.RawTarget"/>); the decoded path when there is none.
    /// </summary>
    private static ReadOnlySpan<char> PathAsSent(HttpRequest request, out bool asSent)
    {
        var target = (request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget).AsSpan();
        if (!target.IsEmpty && target[0] != '/')
        {
            // Absolute form (http://host/path), as sent to a proxy.
            var scheme = target.IndexOf("://", StringComparison.Ordinal);
            if (scheme > 0)
            {
                target = target[(scheme + 3)..];
                var slash = target.IndexOf('/');
                target = slash < 0 ? "/" : target[slash..];
            }
        }

        if (!target.IsEmpty && target[0] == '/')
        {
            asSent = true;
            var end = target.IndexOfAny('?', '#');
            return end < 0 ? target : target[..end];
        }

        asSent = false;
        return request.PathBase.HasValue ? (request.PathBase + request.Path).Value : request.Path.Value;
    }

    private static void WriteHeader(SigV4Buffer buffer, IHeaderDictionary headers, ReadOnlySpan<char> name)
    {
        buffer.Append(name);
        buffer.Append((byte)':');
        var values = headers[HeaderName(name)];
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                buffer.Append((byte)',');
            }

            AppendTrimmed(buffer, values[i]);
        }

        buffer.Append((byte)'\n');
    }

    /// <summary>The headers Lambda clients sign, as constants, so that looking them up allocates nothing.</summary>
    private static string HeaderName(ReadOnlySpan<char> name) => name switch
    {
        "host" => "host",
        "x-amz-date" => "x-amz-date",
        "x-amz-security-token" => "x-amz-security-token",
        "x-amz-content-sha256" => "x-amz-content-sha256",
        "x-amz-invocation-type" => "x-amz-invocation-type",
        "x-amz-log-type" => "x-amz-log-type",
        "x-amz-client-context" => "x-amz-client-context",
        "content-type" => "content-type",
        "content-length" => "content-length",
        "date" => "date",
        _ => name.ToString(),
    };

    /// <summary>SigV4's Trimall: no leading or trailing whitespace, each inner run of it one space.</summary>
    private static void AppendTrimmed(SigV4Buffer buffer, ReadOnlySpan<char> value)
    {
        value = value.Trim();
        while (!value.IsEmpty)
        {
            var space = IndexOfWhitespace(value);
            if (space < 0)
            {
                buffer.Append(value);
                return;
            }

            buffer.Append(value[..space]);
            buffer.Append((byte)' ');
            value = value[space..].TrimStart();
        }
    }

    private static int IndexOfWhitespace(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsWhiteSpace(value[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsLowercaseAndSorted(ReadOnlySpan<char> signedHeaders)
    {
        if (signedHeaders.ContainsAnyInRange('A', 'Z'))
        {
            return false;
        }

        ReadOnlySpan<char> previous = default;
        var first = true;
        foreach (var range in signedHeaders.Split(';'))
        {
            var name = signedHeaders[range];
            if (!first && previous.SequenceCompareTo(name) > 0)
            {
                return false;
            }

            previous = name;
            first = false;
        }

        return true;
    }
}
