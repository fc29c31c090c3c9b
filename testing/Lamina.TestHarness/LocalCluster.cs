namespace Lamina.Testing;

/// <summary>
/// The cluster from <c>make cluster-up</c>. End-to-end tests take it as a collection fixture; it
/// fails at once, naming the command, when no cluster is configured.
/// </summary>
public sealed class LocalCluster
{
    /// <summary>Finds the repository's kubeconfig and checks the API server answers.</summary>
    public LocalCluster()
    {
        Layout = RepositoryLayout.Discover();
        if (!File.Exists(Layout.ClusterKubeconfig))
        {
            throw new InvalidOperationException(
                $"No local cluster: {Layout.ClusterKubeconfig} does not exist. Run `make cluster-up` in {Layout.Root} first " +
                "(`make test-e2e` does).");
        }

        Kubectl = new Kubectl(Layout.ClusterKubeconfig);
    }

    /// <summary>The repository layout (paths and versions).</summary>
    public RepositoryLayout Layout { get; }

    /// <summary>kubectl bound to the cluster's admin kubeconfig.</summary>
    public Kubectl Kubectl { get; }
}
