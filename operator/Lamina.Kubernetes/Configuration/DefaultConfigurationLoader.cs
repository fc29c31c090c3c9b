namespace Lamina.Kubernetes.Configuration;

/// <summary>
/// The search order of <see cref="KubernetesClientConfiguration.LoadDefault"/> (the first file in
/// <c>KUBECONFIG</c>, else <c>~/.kube/config</c>, else the pod's service account), with its inputs
/// injectable for tests.
/// </summary>
public static class DefaultConfigurationLoader
{
    /// <summary>The variable listing kubeconfig files (only the first is read; kubectl merges them, we do not).</summary>
    public const string KubeconfigVariable = "KUBECONFIG";

    /// <summary>Finds and loads the configuration.</summary>
    /// <param name="getEnvironmentVariable">Reads <c>KUBECONFIG</c> and the in-cluster service variables.</param>
    /// <param name="homeDirectory">The user's home (for <c>~/.kube/config</c>); none when null or empty.</param>
    /// <param name="inClusterPaths">The service-account files.</param>
    /// <param name="timeProvider">Drives token-file re-reads.</param>
    /// <exception cref="KubernetesConfigurationException">None of the three is usable; the message names what is missing.</exception>
    public static KubernetesClientConfiguration Load(
        Func<string, string?> getEnvironmentVariable,
        string? homeDirectory,
        InClusterPaths inClusterPaths,
        TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        ArgumentNullException.ThrowIfNull(inClusterPaths);
        var fromVariable = getEnvironmentVariable(KubeconfigVariable);
        if (!string.IsNullOrWhiteSpace(fromVariable))
        {
            var first = fromVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            if (first is not null)
            {
                // Named explicitly: a missing file is an error, not a reason to look elsewhere.
                return KubeconfigLoader.Load(first, timeProvider: timeProvider);
            }
        }

        var home = string.IsNullOrEmpty(homeDirectory) ? null : Path.Combine(homeDirectory, ".kube", "config");
        if (home is not null && File.Exists(home))
        {
            return KubeconfigLoader.Load(home, timeProvider: timeProvider);
        }

        if (InClusterConfiguration.IsAvailable(getEnvironmentVariable))
        {
            return InClusterConfiguration.Load(inClusterPaths, getEnvironmentVariable, timeProvider);
        }

        throw new KubernetesConfigurationException(
            $"no Kubernetes configuration found: {KubeconfigVariable} is not set, {home ?? "~/.kube/config"} does not exist, " +
            $"and {InClusterConfiguration.HostVariable}/{InClusterConfiguration.PortVariable} are not set (not in a pod)");
    }
}
