namespace Lamina.Kubernetes.Configuration;

/// <summary>
/// The configuration of a program running in a pod: the API server from the
/// <c>KUBERNETES_SERVICE_HOST</c>/<c>KUBERNETES_SERVICE_PORT</c> variables the kubelet sets, and
/// the pod's service account (token, CA, namespace).
/// </summary>
public static class InClusterConfiguration
{
    /// <summary>The variable naming the API server's service address.</summary>
    public const string HostVariable = "KUBERNETES_SERVICE_HOST";

    /// <summary>The variable naming the API server's service port.</summary>
    public const string PortVariable = "KUBERNETES_SERVICE_PORT";

    /// <summary>True when both service variables are set (the program runs in a pod).</summary>
    public static bool IsAvailable(Func<string, string?>? getEnvironmentVariable = null)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        return !string.IsNullOrEmpty(getEnvironmentVariable(HostVariable)) && !string.IsNullOrEmpty(getEnvironmentVariable(PortVariable));
    }

    /// <summary>Loads the pod's configuration; the token is re-read as the kubelet rotates it.</summary>
    /// <param name="paths">The service-account files; <see cref="InClusterPaths.Default"/> when null.</param>
    /// <param name="getEnvironmentVariable">Reads a variable; the process environment when null.</param>
    /// <param name="timeProvider">Drives the token's re-read interval.</param>
    /// <exception cref="KubernetesConfigurationException">A variable or file is missing; the message names it.</exception>
    public static KubernetesClientConfiguration Load(
        InClusterPaths? paths = null,
        Func<string, string?>? getEnvironmentVariable = null,
        TimeProvider? timeProvider = null)
    {
        paths ??= InClusterPaths.Default;
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        var host = getEnvironmentVariable(HostVariable);
        var portText = getEnvironmentVariable(PortVariable);
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(portText))
        {
            throw new KubernetesConfigurationException(
                $"not running in a cluster: {HostVariable} and {PortVariable} must both be set (found {HostVariable}='{host}', {PortVariable}='{portText}')");
        }

        if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new KubernetesConfigurationException($"{PortVariable}='{portText}' is not a port number");
        }

        if (!File.Exists(paths.TokenFile))
        {
            throw new KubernetesConfigurationException($"in-cluster configuration: the service-account token {paths.TokenFile} does not exist (is automountServiceAccountToken off?)");
        }

        if (!File.Exists(paths.CertificateAuthorityFile))
        {
            throw new KubernetesConfigurationException($"in-cluster configuration: the cluster CA {paths.CertificateAuthorityFile} does not exist");
        }

        var ns = File.Exists(paths.NamespaceFile) ? File.ReadAllText(paths.NamespaceFile).Trim() : "";
        return new KubernetesClientConfiguration
        {
            // UriBuilder brackets an IPv6 host (a dual-stack cluster's service address).
            Server = new UriBuilder(Uri.UriSchemeHttps, host, port).Uri,
            CertificateAuthorities = CertificateLoader.Authorities(File.ReadAllText(paths.CertificateAuthorityFile), paths.CertificateAuthorityFile),
            TokenSource = new FileTokenSource(paths.TokenFile, timeProvider),
            Namespace = ns.Length == 0 ? KubernetesClientConfiguration.DefaultNamespace : ns,
        };
    }
}
