using System.Security.Cryptography;

namespace Lamina.Gateway.Auth;

/// <summary>Both steps of <see cref="IRequestAuthenticator"/> at once, for a caller that has the whole body already.</summary>
internal static class RequestAuthenticatorExtensions
{
    public static AuthResult Authenticate(this IRequestAuthenticator authenticator, HttpRequest request, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        var result = authenticator.AuthenticateHeaders(request, now);
        if (result is not AuthResult.Authenticated { SignaturePending: true } authenticated)
        {
            return result;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return (AuthResult?)authenticator.VerifyBody(request, authenticated, hash) ?? authenticated;
    }
}
