using System.Text;
using Microsoft.AspNetCore.Http;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>
/// A correctly signed Invoke request, built by <see cref="TestSigner"/>; a test changes one thing
/// (with <c>with</c>, or <see cref="Build"/>'s tamper hook) to see exactly that refused.
/// </summary>
internal sealed record SignedInvoke
{
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public string Method { get; init; } = "POST";

    /// <summary>As sent; tests keep it to unreserved characters so that it is also its canonical form.</summary>
    public string Path { get; init; } = "/2015-03-31/functions/hello/invocations";

    /// <summary>As sent, without <c>?</c>; tests keep it canonical (sorted, encoded).</summary>
    public string Query { get; init; } = "";

    public string Host { get; init; } = "gateway.test:8080";

    public string AmzDate { get; init; } = "20260101T120000Z";

    public string KeyId { get; init; } = TestSigner.KeyId;

    public string Secret { get; init; } = TestSigner.Secret;

    public string Region { get; init; } = "us-east-1";

    public string Service { get; init; } = "lambda";

    /// <summary>Signed headers besides host and x-amz-date (lowercase names).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public byte[] Body { get; init; } = Encoding.UTF8.GetBytes("{\"key\":\"value\"}");

    public string CanonicalRequest
    {
        get
        {
            var headers = Headers.Append(new("host", Host)).Append(new("x-amz-date", AmzDate))
                .OrderBy(h => h.Key, StringComparer.Ordinal).ToList();
            return string.Join('\n',
                Method,
                Path,
                Query,
                string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n")),
                string.Join(';', headers.Select(h => h.Key)),
                TestSigner.Sha256Hex(Body));
        }
    }

    public string SignedHeaders => string.Join(';', Headers.Select(h => h.Key).Append("host").Append("x-amz-date").Order(StringComparer.Ordinal));

    public string Signature => TestSigner.Signature(Secret, AmzDate, Region, Service, CanonicalRequest);

    public string Authorization =>
        $"AWS4-HMAC-SHA256 Credential={KeyId}/{AmzDate[..8]}/{Region}/{Service}/aws4_request, SignedHeaders={SignedHeaders}, Signature={Signature}";

    /// <summary>The request as Kestrel would hand it over; <paramref name="tamper"/> may change its headers after signing.</summary>
    public HttpRequest Build(Action<IHeaderDictionary>? tamper = null)
    {
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Host", Host),
            new("X-Amz-Date", AmzDate),
            new("Authorization", Authorization),
            new("Content-Length", Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        headers.AddRange(Headers);
        var request = TestRequests.Create(Method, Query.Length == 0 ? Path : $"{Path}?{Query}", headers);
        tamper?.Invoke(request.Headers);
        return request;
    }
}
