using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Auth;

/// <summary>
/// <c>--auth=none</c>, for local development only: every request is a caller allowed in every
/// namespace, whose bare function names resolve in <see cref="GatewayAuthOptions.AnonymousDefaultNamespace"/>.
/// Signatures, if any, are not looked at.
/// </summary>
internal sealed class NoAuthenticator : IRequestAuthenticator
{
    /// <summary>Who every caller is.</summary>
    public const string Identity = "anonymous";

    private readonly AuthResult.Authenticated _everyone;

    public NoAuthenticator(IOptions<GatewayAuthOptions> options)
        : this(options.Value.AnonymousDefaultNamespace)
    {
    }

    internal NoAuthenticator(string defaultNamespace)
    {
        _everyone = new AuthResult.Authenticated(new Caller(Identity, Namespaces: null, defaultNamespace));
    }

    public AuthResult AuthenticateHeaders(HttpRequest request, DateTimeOffset now) => _everyone;

    public AuthResult.Denied? VerifyBody(HttpRequest request, AuthResult.Authenticated authenticated, ReadOnlySpan<byte> bodySha256) => null;
}
