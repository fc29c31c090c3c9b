namespace Lamina.Testing;

/// <summary>The etcd and Kubernetes programs the fixtures start, located once and checked.</summary>
public sealed record KubernetesBinaries(string Etcd, string KubeApiServer)
{
    /// <summary>The one command that builds what is missing; failures quote it verbatim.</summary>
    public const string BuildCommand = "make kubernetes";

    /// <summary>Finds etcd (Debian's <c>etcd-server</c>) and the cached kube-apiserver, or says how to get them.</summary>
    public static KubernetesBinaries Locate(RepositoryLayout layout, string etcdPath = "/usr/bin/etcd")
    {
        var apiServer = Path.Combine(layout.KubernetesBinDirectory, "kube-apiserver");
        var missing = new List<string>();
        if (!File.Exists(etcdPath))
        {
            missing.Add($"{etcdPath} (Debian package etcd-server)");
        }

        if (!File.Exists(apiServer))
        {
            missing.Add(apiServer);
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The API-server fixture needs {string.Join(" and ", missing)}. " +
                $"Build them with `{BuildCommand}` in {layout.Root} (about 8 minutes the first time; cached afterwards).");
        }

        return new KubernetesBinaries(etcdPath, apiServer);
    }
}
