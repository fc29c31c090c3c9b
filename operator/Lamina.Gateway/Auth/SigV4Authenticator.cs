using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 header authentication of an Invoke request as the AWS CLI,
/// boto3 and the other AWS SDKs sign it: the credential's key must be one the store holds, its
/// scope <c>&lt;date&gt;/&lt;region&gt;/lambda/aws4_request</c>, the request date within
/// <see cref="GatewayAuthOptions.SignatureWindow"/> (Lambda's five minutes) of the gateway's clock,
/// and the signature over the canonical request (method, path, query, the signed headers, the body's
/// SHA-256) the one the key's secret gives. Everything but the signature is checked from the headers
/// alone (<see cref="AuthenticateHeaders"/>), before the body is read. An
/// <c>X-Amz-Security-Token</c> is signed like any header but not checked: the gateway issues no
/// session tokens, so a key it holds is verified by its signature alone.
/// </summary>
internal sealed partial class SigV4Authenticator : IRequestAuthenticator
{
    /// <summary>The service name in the credential scope of every Lambda request.</summary>
    public const string LambdaService = "lambda";

    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    private readonly IAccessKeyStore _keys;
    private readonly string? _region;
    private readonly string _service;
    private readonly TimeSpan _window;
    private readonly ILogger _logger;

    public SigV4Authenticator(IAccessKeyStore keys, IOptions<GatewayAuthOptions> options, ILogger<SigV4Authenticator> logger)
        : this(keys, options.Value.Region, LambdaService, logger, options.Value.SignatureWindow)
    {
    }

    /// <summary>
    /// An authenticator accepting only <paramref name="region"/> (any when null) and
    /// <paramref name="service"/>: <c>lambda</c> but in tests of AWS's generic test suite.
    /// </summary>
    internal SigV4Authenticator(IAccessKeyStore keys, string? region, string service, ILogger logger, TimeSpan? window = null)
    {
        _keys = keys;
        _region = string.IsNullOrEmpty(region) ? null : region;
        _service = service;
        _window = window ?? GatewayAuthOptions.DefaultSignatureWindow;
        _logger = logger;
    }

    public AuthResult AuthenticateHeaders(HttpRequest request, DateTimeOffset now)
    {
        var headers = request.Headers;
        var authorizationValues = headers.Authorization;
        if (authorizationValues.Count == 0 || string.IsNullOrEmpty(authorizationValues[0]))
        {
            return AuthErrors.MissingAuthenticationToken;
        }

        var authorization = authorizationValues.Count == 1 ? authorizationValues[0]! : authorizationValues.ToString();
        var amzDate = headers["X-Amz-Date"];
        var requestDate = amzDate.Count > 0 ? amzDate[0] : null;
        var httpDate = requestDate is null && headers.Date.Count > 0 ? headers.Date[0] : null;
        if (!SigV4Authorization.TryParse(authorization, requestDate is not null || httpDate is not null, out var credential, out var refusal))
        {
            return refusal!;
        }

        if (!TryReadDate(requestDate, httpDate, out var signedAt, out requestDate))
        {
            return AuthErrors.MalformedDate(requestDate);
        }

        if (!credential.Terminator.SequenceEqual(SigV4Signing.Terminator))
        {
            return AuthErrors.WrongTerminator(credential.Terminator);
        }

        if (!credential.Service.SequenceEqual(_service))
        {
            return AuthErrors.WrongService;
        }

        if (_region is not null && !credential.Region.SequenceEqual(_region))
        {
            return AuthErrors.WrongRegion;
        }

        if (!credential.Date.SequenceEqual(requestDate.AsSpan(0, 8)))
        {
            return AuthErrors.ScopeDateMismatch(credential.Date, requestDate);
        }

        if (signedAt < now - _window)
        {
            return AuthErrors.Expired(requestDate, now, _window);
        }

        if (signedAt > now + _window)
        {
            return AuthErrors.NotYetCurrent(requestDate, now, _window);
        }

        if (!SignsHost(credential.SignedHeaders))
        {
            return AuthErrors.HostNotSigned;
        }

        var key = _keys.Find(credential.AccessKeyId.ToString());
        if (key is null)
        {
            return AuthErrors.UnrecognizedClient;
        }

        return new AuthResult.Authenticated(new Caller(key.AccessKeyId, key.Namespaces, key.DefaultNamespace)) { Key = key, RequestDate = requestDate, SignaturePending = true };
    }

    public AuthResult.Denied? VerifyBody(HttpRequest request, AuthResult.Authenticated authenticated, ReadOnlySpan<byte> bodySha256)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(authenticated);
        // The same headers AuthenticateHeaders accepted (parsing them again allocates nothing); a
        // result that did not come from it, or headers changed since, fail closed.
        var authorizationValues = request.Headers.Authorization;
        if (authenticated.Key is not { } key || authenticated.RequestDate is not { } requestDate || authorizationValues.Count == 0
            || !SigV4Authorization.TryParse(authorizationValues.Count == 1 ? authorizationValues[0]! : authorizationValues.ToString(), hasDate: true, out var credential, out _)
            || !credential.AccessKeyId.SequenceEqual(key.AccessKeyId))
        {
            return AuthErrors.SignatureDoesNotMatch;
        }

        return SignatureMatches(request, bodySha256, credential, requestDate, key) ? null : AuthErrors.SignatureDoesNotMatch;
    }

    private bool SignatureMatches(HttpRequest request, ReadOnlySpan<byte> bodySha256, SigV4Authorization credential, string requestDate, AccessKey key)
    {
        var buffer = SigV4Buffer.Rent();
        try
        {
            SigV4Canonicalizer.WriteCanonicalRequestWithBodyHash(buffer, request, credential.SignedHeaders, bodySha256);
            Span<byte> canonicalHash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.Written, canonicalHash);
            var described = _logger.IsEnabled(LogLevel.Debug) ? Describe(buffer.ToString()) : null;

            buffer.Clear();
            buffer.Append(SigV4Signing.Algorithm);
            buffer.Append((byte)'\n');
            buffer.Append(requestDate);
            buffer.Append((byte)'\n');
            buffer.Append(credential.Date);
            buffer.Append((byte)'/');
            buffer.Append(credential.Region);
            buffer.Append((byte)'/');
            buffer.Append(credential.Service);
            buffer.Append((byte)'/');
            buffer.Append(SigV4Signing.Terminator);
            buffer.Append((byte)'\n');
            buffer.AppendHex(canonicalHash);

            Span<char> expected = stackalloc char[SigV4Signing.SignatureLength];
            SigV4Signing.Sign(key.SecretAccessKey, credential.Date, credential.Region, credential.Service, buffer.Written, expected);
            // Constant time: how much of a guessed signature matches must not show in the response time.
            var matches = credential.Signature.Length == expected.Length
                && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(credential.Signature), MemoryMarshal.AsBytes((ReadOnlySpan<char>)expected));
            if (!matches && described is not null)
            {
                LogSignatureMismatch(key.AccessKeyId, described);
            }

            return matches;
        }
        finally
        {
            SigV4Buffer.Return(buffer);
        }
    }

    /// <summary>
    /// The request's time: X-Amz-Date (<c>yyyyMMddTHHmmssZ</c>), or else an HTTP Date header, which
    /// botocore signs instead when a request already has one. <paramref name="requestDate"/> comes
    /// back in the X-Amz-Date form, as the string to sign wants it.
    /// </summary>
    private static bool TryReadDate(string? amzDate, string? httpDate, out DateTimeOffset signedAt, out string requestDate)
    {
        if (amzDate is not null)
        {
            requestDate = amzDate;
            return DateTimeOffset.TryParseExact(amzDate, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out signedAt);
        }

        requestDate = httpDate ?? "";
        if (!DateTimeOffset.TryParse(httpDate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out signedAt))
        {
            return false;
        }

        requestDate = signedAt.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);
        return true;
    }

    private static bool SignsHost(ReadOnlySpan<char> signedHeaders)
    {
        foreach (var range in signedHeaders.Split(';'))
        {
            if (signedHeaders[range].Trim().Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The canonical request for a debug log without the header values, which may carry a session
    /// token: method, path, query, the header names and the body hash are what usually differ.
    /// </summary>
    private static string Describe(string canonicalRequest)
    {
        var lines = canonicalRequest.Split('\n');
        for (var i = 3; i < lines.Length - 3; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                lines[i] = lines[i][..(colon + 1)] + "…";
            }
        }

        return string.Join(" | ", lines);
    }
}
