namespace Lamina.Gateway.Auth;

/// <summary>
/// Authenticates one Invoke request (SigV4, or nobody with --auth=none) in two steps, so that a
/// request that cannot be authenticated is refused before its body is read (docs/gateway-auth.md,
/// "Before the body"): first everything the headers decide, then the signature, which covers the
/// body's SHA-256.
/// </summary>
internal interface IRequestAuthenticator
{
    /// <summary>
    /// Everything that needs no body: the Authorization header parses, the date is valid and within
    /// the signature window, the credential scope is right, the access key exists. Denied, or the
    /// caller, whose signature <see cref="VerifyBody"/> must still check.
    /// </summary>
    /// <param name="request">Method, path, query and headers as received.</param>
    /// <param name="now">The gateway's clock, for the signature window.</param>
    AuthResult AuthenticateHeaders(HttpRequest request, DateTimeOffset now);

    /// <summary>
    /// The signature over the canonical request of a request <see cref="AuthenticateHeaders"/>
    /// accepted with <see cref="AuthResult.Authenticated.SignaturePending"/>, given the SHA-256 of
    /// the body as received (never a hash the client claims, X-Amz-Content-SHA256): null when it
    /// matches, else the refusal.
    /// </summary>
    AuthResult.Denied? VerifyBody(HttpRequest request, AuthResult.Authenticated authenticated, ReadOnlySpan<byte> bodySha256);
}
