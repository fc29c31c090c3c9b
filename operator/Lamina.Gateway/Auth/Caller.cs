namespace Lamina.Gateway.Auth;

/// <summary>Who is invoking, once authenticated: the namespaces granted and the default one.</summary>
internal sealed record Caller(string Identity, IReadOnlySet<string>? Namespaces, string DefaultNamespace)
{
    public bool MayInvokeIn(string @namespace) => Namespaces is null || Namespaces.Contains(@namespace);
}
