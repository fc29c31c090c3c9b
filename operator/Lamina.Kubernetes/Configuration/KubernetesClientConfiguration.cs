using System.Security.Cryptography.X509Certificates;

namespace Lamina.Kubernetes.Configuration;

/// <summary>
/// Everything the client needs to reach one API server, resolved (files read, base64 decoded):
/// where it is, whom to trust, who we are. Build one by hand, or load it with
/// <see cref="KubeconfigLoader"/>, <see cref="InClusterConfiguration"/> or <see cref="LoadDefault"/>.
/// </summary>
public sealed record KubernetesClientConfiguration
{
    /// <summary>The namespace when neither the kubeconfig context nor the pod names one.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>The API server, e.g. <c>https://10.0.0.1:443</c>.</summary>
    public required Uri Server { get; init; }

    /// <summary>The only certificate authorities the server's certificate may chain to (not the machine's roots).</summary>
    public IReadOnlyList<X509Certificate2> CertificateAuthorities { get; init; } = [];

    /// <summary>Accept any server certificate (kubeconfig <c>insecure-skip-tls-verify</c>); for throw-away clusters only.</summary>
    public bool SkipTlsVerify { get; init; }

    /// <summary>A client certificate with its private key, for certificate authentication.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Where bearer tokens come from; none for certificate-only or anonymous access.</summary>
    public ITokenSource? TokenSource { get; init; }

    /// <summary>The namespace of the kubeconfig context, or of the pod in a cluster.</summary>
    public string Namespace { get; init; } = DefaultNamespace;

    /// <summary>
    /// How long a request (other than a watch's stream) may take. Generous because a large list on
    /// a busy server takes seconds; short enough that a dead connection does not hang a reconcile.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The configuration a program finds by default, as kubectl and client-go do: the first file in
    /// <c>KUBECONFIG</c>, else <c>~/.kube/config</c>, else the pod's service account.
    /// </summary>
    /// <exception cref="KubernetesConfigurationException">None of the three is usable; the message names what is missing.</exception>
    public static KubernetesClientConfiguration LoadDefault(TimeProvider? timeProvider = null) =>
        DefaultConfigurationLoader.Load(
            Environment.GetEnvironmentVariable,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            InClusterPaths.Default,
            timeProvider ?? TimeProvider.System);
}
