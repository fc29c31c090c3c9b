using Lamina.Gateway.Auth;
using Microsoft.AspNetCore.Http;

namespace Lamina.Gateway.Tests.Fakes;

/// <summary>
/// Answers every request's headers with one configured <see cref="AuthResult"/>, and its body with
/// <see cref="SignatureResult"/>, recording what it was shown, so a test can check the handler
/// authenticates at the gateway's time, before the body, and verifies the hash of the body it read.
/// </summary>
internal sealed class FakeRequestAuthenticator(AuthResult result) : IRequestAuthenticator
{
    private readonly List<AuthenticationCall> _calls = [];
    private readonly List<byte[]> _verified = [];

    /// <summary>What the next requests' headers are answered with.</summary>
    public AuthResult Result { get; set; } = result;

    /// <summary>What the signature over the body is answered with (null: it matches).</summary>
    public AuthResult.Denied? SignatureResult { get; set; }

    /// <summary>Header checks, in order.</summary>
    public IReadOnlyList<AuthenticationCall> Calls => _calls;

    /// <summary>The body hashes the signature was checked against, in order.</summary>
    public IReadOnlyList<byte[]> Verified => _verified;

    /// <summary>Runs when the headers are checked: a test can look at the request's body stream then.</summary>
    public Action<HttpRequest>? OnHeaders { get; set; }

    public AuthResult AuthenticateHeaders(HttpRequest request, DateTimeOffset now)
    {
        _calls.Add(new AuthenticationCall(request.Method, request.Path.Value ?? string.Empty, now));
        OnHeaders?.Invoke(request);
        return Result;
    }

    public AuthResult.Denied? VerifyBody(HttpRequest request, AuthResult.Authenticated authenticated, ReadOnlySpan<byte> bodySha256)
    {
        _verified.Add(bodySha256.ToArray());
        return SignatureResult;
    }
}

/// <summary>One call of <see cref="FakeRequestAuthenticator.AuthenticateHeaders"/>.</summary>
internal sealed record AuthenticationCall(string Method, string Path, DateTimeOffset Now);
