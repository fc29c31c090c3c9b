using Lamina.Gateway.Auth;
using Microsoft.AspNetCore.Http;

namespace Lamina.Gateway.Tests.Fakes;

/// <summary>
/// Answers every request with one configured <see cref="AuthResult"/> and records what it was shown,
/// so a test can check the handler authenticates the body it read, at the gateway's time.
/// </summary>
internal sealed class FakeRequestAuthenticator(AuthResult result) : IRequestAuthenticator
{
    private readonly List<AuthenticationCall> _calls = [];

    /// <summary>What the next requests are answered with.</summary>
    public AuthResult Result { get; set; } = result;

    public IReadOnlyList<AuthenticationCall> Calls => _calls;

    public AuthResult Authenticate(HttpRequest request, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        _calls.Add(new AuthenticationCall(request.Method, request.Path.Value ?? string.Empty, body.ToArray(), now));
        return Result;
    }
}

/// <summary>One call of <see cref="FakeRequestAuthenticator.Authenticate"/>: the body is a copy.</summary>
internal sealed record AuthenticationCall(string Method, string Path, byte[] Body, DateTimeOffset Now);
