namespace Lamina.Testing.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RepositoryLayoutTests : IDisposable
{
    private readonly DirectoryInfo _repo = Directory.CreateTempSubdirectory("lamina-layout-");

    public RepositoryLayoutTests()
    {
        File.WriteAllText(Path.Combine(_repo.FullName, "Operator.sln"), "");
        Directory.CreateDirectory(Path.Combine(_repo.FullName, "hack"));
        File.WriteAllText(Path.Combine(_repo.FullName, "hack", "versions.env"), """
            # comment
            KUBERNETES_SOURCE_VERSION=1.2.3-4
            KUBERNETES_PATCH_LEVEL=7

            PAUSE_IMAGE="docker.io/lamina/pause:3.6"
            """);
        Directory.CreateDirectory(Path.Combine(_repo.FullName, "a", "b"));
    }

    [Fact]
    public void Discover_FromNestedFolder_FindsRootAndPinnedVersion()
    {
        var layout = RepositoryLayout.Discover(Path.Combine(_repo.FullName, "a", "b"), name => name == "HOME" ? "/home/u" : null);

        Assert.Equal(_repo.FullName, layout.Root);
        Assert.Equal("1.2.3-4", layout.KubernetesVersion);
        Assert.Equal("/home/u/.cache/lamina/kubernetes/1.2.3-4/bin.p7", layout.KubernetesBinDirectory);
        Assert.Equal(Path.Combine(_repo.FullName, ".lamina", "kubeconfig"), layout.ClusterKubeconfig);
    }

    [Fact]
    public void Discover_LaminaCacheSet_UsesIt()
    {
        var layout = RepositoryLayout.Discover(_repo.FullName, name => name == "LAMINA_CACHE" ? "/cache" : "/home/u");

        Assert.Equal("/cache/kubernetes/1.2.3-4/bin.p7", layout.KubernetesBinDirectory);
    }

    [Fact]
    public void Discover_OutsideRepository_ThrowsNamingStart()
    {
        var outside = Directory.CreateTempSubdirectory("lamina-outside-");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => RepositoryLayout.Discover(outside.FullName));
            Assert.Contains(outside.FullName, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            outside.Delete();
        }
    }

    [Fact]
    public void ReadEnvFile_QuotedValueAndComments_ParsesValuesOnly()
    {
        var values = RepositoryLayout.ReadEnvFile(Path.Combine(_repo.FullName, "hack", "versions.env"));

        Assert.Equal(3, values.Count);
        Assert.Equal("docker.io/lamina/pause:3.6", values["PAUSE_IMAGE"]);
    }

    [Fact]
    public void Discover_RealRepository_AgreesWithVersionsFile()
    {
        var layout = RepositoryLayout.Discover();

        Assert.True(File.Exists(Path.Combine(layout.Root, "Makefile")));
        Assert.Matches(@"^\d+\.\d+\.\d+", layout.KubernetesVersion);
    }

    public void Dispose() => _repo.Delete(recursive: true);
}
