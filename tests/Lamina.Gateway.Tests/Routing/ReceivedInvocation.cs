namespace Lamina.Gateway.Tests.Routing;

/// <summary>One request as a <see cref="FakeShim"/> received it: the <c>Lamina-*</c> headers and the body.</summary>
internal sealed record ReceivedInvocation(string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
