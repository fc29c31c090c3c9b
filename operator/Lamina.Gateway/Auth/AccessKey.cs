namespace Lamina.Gateway.Auth;

/// <summary>
/// One access key a caller signs with, as a Kubernetes Secret holds it: which namespaces it may
/// invoke functions in (null: every namespace) and where a bare function name resolves.
/// </summary>
internal sealed record AccessKey(string AccessKeyId, string SecretAccessKey, IReadOnlySet<string>? Namespaces, string DefaultNamespace)
{
    public bool MayInvokeIn(string @namespace) => Namespaces is null || Namespaces.Contains(@namespace);
}
