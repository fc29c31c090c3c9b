using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lamina.Gateway.Auth;

namespace Lamina.Bench;

/// <summary>
/// Signs Invoke requests the way the AWS SDKs do (SigV4, headers <c>host;x-amz-date</c>), with the
/// gateway's own key chain (<see cref="SigV4Signing"/>). Only for paths and hosts that are already
/// canonical (no characters to encode, no query), which the bench's are.
/// </summary>
internal sealed class InvokeSigner(string keyId, string secret, string region = "us-east-1")
{
    private const string Service = "lambda";
    private const string SignedHeaders = "host;x-amz-date";

    /// <summary>A POST of <paramref name="payload"/> to <paramref name="uri"/>, signed now.</summary>
    public HttpRequestMessage Post(Uri uri, string payload)
    {
        var body = Encoding.UTF8.GetBytes(payload);
        var amzDate = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";
        var canonical = $"POST\n{uri.AbsolutePath}\n\nhost:{host}\nx-amz-date:{amzDate}\n\n{SignedHeaders}\n{Convert.ToHexStringLower(SHA256.HashData(body))}";
        var scope = $"{date}/{region}/{Service}/{SigV4Signing.Terminator}";
        var stringToSign = $"{SigV4Signing.Algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        Span<char> signature = stackalloc char[SigV4Signing.SignatureLength];
        SigV4Signing.Sign(secret, date, region, Service, Encoding.UTF8.GetBytes(stringToSign), signature);

        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4Signing.Algorithm} Credential={keyId}/{scope}, SignedHeaders={SignedHeaders}, Signature={new string(signature)}");
        return request;
    }
}
