namespace Lamina.Testing;

/// <summary>
/// Where the repository, the build cache and the pinned versions are, resolved the same way
/// as <c>hack/lib/common.sh</c> resolves them, so tests and scripts agree on every path.
/// </summary>
public sealed class RepositoryLayout
{
    private RepositoryLayout(string root, string cache, string kubernetesVersion, string kubernetesPatchLevel)
    {
        Root = root;
        Cache = cache;
        KubernetesVersion = kubernetesVersion;
        KubernetesPatchLevel = kubernetesPatchLevel;
    }

    /// <summary>The repository root (the folder holding <c>Operator.sln</c>).</summary>
    public string Root { get; }

    /// <summary>The build cache (<c>LAMINA_CACHE</c>, default <c>$HOME/.cache/lamina</c>).</summary>
    public string Cache { get; }

    /// <summary>The pinned Kubernetes source version from <c>hack/versions.env</c>.</summary>
    public string KubernetesVersion { get; }

    /// <summary>The build recipe's patch level from <c>hack/versions.env</c>: part of the cache key.</summary>
    public string KubernetesPatchLevel { get; }

    /// <summary>Where <c>hack/cluster/build-kubernetes.sh</c> puts the Kubernetes binaries.</summary>
    public string KubernetesBinDirectory => Path.Combine(Cache, "kubernetes", KubernetesVersion, $"bin.p{KubernetesPatchLevel}");

    /// <summary>The admin kubeconfig that <c>make cluster-up</c> writes.</summary>
    public string ClusterKubeconfig => Path.Combine(Root, ".lamina", "kubeconfig");

    /// <summary>
    /// Finds the repository above <paramref name="startDirectory"/>; by default above the test
    /// assembly's folder, or where this assembly was built from when its output lives elsewhere.
    /// </summary>
    public static RepositoryLayout Discover(string? startDirectory = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var root = startDirectory is not null ? FindRoot(startDirectory) : FindRoot(AppContext.BaseDirectory, BuiltFrom());
        var cache = environment("LAMINA_CACHE") is { Length: > 0 } configured
            ? configured
            : Path.Combine(environment("HOME") ?? "/root", ".cache", "lamina");
        var versions = ReadEnvFile(Path.Combine(root, "hack", "versions.env"));
        return new RepositoryLayout(root, cache, Require(versions, "KUBERNETES_SOURCE_VERSION"), Require(versions, "KUBERNETES_PATCH_LEVEL"));
    }

    private static string Require(Dictionary<string, string> versions, string name)
    {
        return versions.TryGetValue(name, out var value)
            ? value
            : throw new InvalidOperationException($"hack/versions.env does not set {name}");
    }

    private static string? BuiltFrom() =>
        typeof(RepositoryLayout).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LaminaRepositoryRoot")?.Value;

    private static string FindRoot(string start, string? fallback = null)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
            {
                return dir.FullName;
            }
        }

        if (fallback is not null && File.Exists(Path.Combine(fallback, "Operator.sln")))
        {
            return fallback;
        }

        throw new InvalidOperationException($"no Operator.sln above {start}: tests must run from inside the repository");
    }

    /// <summary>Reads <c>KEY=VALUE</c> lines; blank lines and <c>#</c> comments are skipped.</summary>
    internal static Dictionary<string, string> ReadEnvFile(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[line[..equals]] = line[(equals + 1)..].Trim('"');
            }
        }

        return values;
    }
}
