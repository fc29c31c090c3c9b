using Microsoft.AspNetCore.Http;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>One signed request of the botocore fixture, and the time it was signed at.</summary>
internal sealed record BotocoreCase(
    string Name,
    string Source,
    DateTimeOffset Now,
    string Method,
    string Target,
    IReadOnlyList<string> Headers,
    byte[] Body,
    string? CanonicalRequest)
{
    public HttpRequest Build() => TestRequests.Create(Method, Target, TestRequests.ParseHeaders(Headers));

    /// <summary>The lowercase names the Authorization header lists as signed.</summary>
    public IReadOnlyList<string> SignedHeaders
    {
        get
        {
            var authorization = TestRequests.ParseHeaders(Headers).Single(h => h.Key == "Authorization").Value;
            var start = authorization.IndexOf("SignedHeaders=", StringComparison.Ordinal) + "SignedHeaders=".Length;
            return authorization[start..authorization.IndexOf(',', start)].Split(';');
        }
    }
}
