namespace Lamina.Gateway.Auth;

/// <summary>
/// The parts of an <c>Authorization: AWS4-HMAC-SHA256 Credential=&lt;key&gt;/&lt;date&gt;/&lt;region&gt;/&lt;service&gt;/aws4_request,
/// SignedHeaders=&lt;names&gt;, Signature=&lt;hex&gt;</c> header, as views into it (parsing allocates nothing
/// unless the header is refused).
/// </summary>
internal readonly ref struct SigV4Authorization
{
    /// <summary>
    /// Longer scope elements (a date, a region, a service name) are refused rather than hashed: real
    /// ones are under 30 characters.
    /// </summary>
    public const int MaxScopeElementLength = 128;

    public ReadOnlySpan<char> AccessKeyId { get; init; }

    public ReadOnlySpan<char> Date { get; init; }

    public ReadOnlySpan<char> Region { get; init; }

    public ReadOnlySpan<char> Service { get; init; }

    public ReadOnlySpan<char> Terminator { get; init; }

    public ReadOnlySpan<char> SignedHeaders { get; init; }

    public ReadOnlySpan<char> Signature { get; init; }

    /// <summary>
    /// Parses <paramref name="header"/>; on failure, <paramref name="refusal"/> is what Lambda
    /// answers (IncompleteSignatureException). <paramref name="hasDate"/>: whether the request has
    /// an X-Amz-Date or Date header (AWS reports its absence in the same message).
    /// </summary>
    public static bool TryParse(string header, bool hasDate, out SigV4Authorization authorization, out AuthResult.Denied? refusal)
    {
        authorization = default;
        var text = header.AsSpan().Trim();
        var space = text.IndexOfAny(' ', '\t');
        if (space < 0 || !text[..space].SequenceEqual(SigV4Signing.Algorithm))
        {
            // Another scheme (SigV2's "AWS key:signature", a bearer token): none of SigV4's parameters.
            refusal = AuthErrors.Incomplete(header, credential: false, signature: false, signedHeaders: false, hasDate);
            return false;
        }

        ReadOnlySpan<char> credential = default, signedHeaders = default, signature = default;
        bool hasCredential = false, hasSignedHeaders = false, hasSignature = false;
        var parameters = text[(space + 1)..];
        foreach (var range in parameters.Split(','))
        {
            var part = parameters[range].Trim();
            if (part.IsEmpty)
            {
                continue;
            }

            var equals = part.IndexOf('=');
            if (equals < 0)
            {
                refusal = AuthErrors.NotKeyValuePair(part, header);
                return false;
            }

            var name = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            if (name is "Credential")
            {
                credential = value;
                hasCredential = true;
            }
            else if (name is "SignedHeaders")
            {
                signedHeaders = value;
                hasSignedHeaders = true;
            }
            else if (name is "Signature")
            {
                signature = value;
                hasSignature = true;
            }
        }

        if (!hasCredential || !hasSignature || !hasSignedHeaders || !hasDate)
        {
            refusal = AuthErrors.Incomplete(header, hasCredential, hasSignature, hasSignedHeaders, hasDate);
            return false;
        }

        Span<Range> scope = stackalloc Range[6];
        if (credential.Split(scope, '/') != 5 || !WithinLimits(credential, scope[..5]))
        {
            refusal = AuthErrors.MalformedCredential(credential);
            return false;
        }

        authorization = new SigV4Authorization
        {
            AccessKeyId = credential[scope[0]],
            Date = credential[scope[1]],
            Region = credential[scope[2]],
            Service = credential[scope[3]],
            Terminator = credential[scope[4]],
            SignedHeaders = signedHeaders,
            Signature = signature,
        };
        refusal = null;
        return true;
    }

    private static bool WithinLimits(ReadOnlySpan<char> credential, ReadOnlySpan<Range> scope)
    {
        foreach (var element in scope)
        {
            var length = credential[element].Length;
            if (length == 0 || length > MaxScopeElementLength)
            {
                return false;
            }
        }

        return true;
    }
}
