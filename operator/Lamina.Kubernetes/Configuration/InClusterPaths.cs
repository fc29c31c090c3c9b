namespace Lamina.Kubernetes.Configuration;

/// <summary>Where a pod finds its service account's credentials (replaceable for tests).</summary>
/// <param name="TokenFile">The projected token, rotated by the kubelet.</param>
/// <param name="CertificateAuthorityFile">The cluster's CA bundle.</param>
/// <param name="NamespaceFile">The pod's namespace.</param>
public sealed record InClusterPaths(string TokenFile, string CertificateAuthorityFile, string NamespaceFile)
{
    /// <summary>The folder the kubelet mounts the service account into.</summary>
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The standard mount.</summary>
    public static InClusterPaths Default { get; } = InDirectory(ServiceAccountDirectory);

    /// <summary>The three files under one folder, named as the kubelet names them.</summary>
    public static InClusterPaths InDirectory(string directory) =>
        new(Path.Combine(directory, "token"), Path.Combine(directory, "ca.crt"), Path.Combine(directory, "namespace"));
}
