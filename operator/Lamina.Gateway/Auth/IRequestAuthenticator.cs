namespace Lamina.Gateway.Auth;

/// <summary>Authenticates one Invoke request (SigV4, or nobody with --auth=none).</summary>
internal interface IRequestAuthenticator
{
    /// <param name="request">Method, path, query and headers as received.</param>
    /// <param name="body">The whole body (the signature covers its SHA-256).</param>
    /// <param name="now">The gateway's clock, for the ±15 minute skew check.</param>
    AuthResult Authenticate(HttpRequest request, ReadOnlySpan<byte> body, DateTimeOffset now);
}
