namespace Lamina.Testing.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class KubernetesBinariesTests
{
    [Fact]
    public void Locate_ApiServerNotBuilt_MessageGivesExactBuildCommand()
    {
        var emptyCache = Directory.CreateTempSubdirectory("lamina-cache-");
        try
        {
            var layout = RepositoryLayout.Discover(environment: name => name == "LAMINA_CACHE" ? emptyCache.FullName : null);

            var error = Assert.Throws<InvalidOperationException>(() => KubernetesBinaries.Locate(layout));

            Assert.Contains("`make kubernetes`", error.Message, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(layout.KubernetesBinDirectory, "kube-apiserver"), error.Message, StringComparison.Ordinal);
        }
        finally
        {
            emptyCache.Delete(recursive: true);
        }
    }

    [Fact]
    public void Locate_EtcdMissing_MessageNamesDebianPackage()
    {
        var layout = RepositoryLayout.Discover();

        var error = Assert.Throws<InvalidOperationException>(() => KubernetesBinaries.Locate(layout, "/nonexistent/etcd"));

        Assert.Contains("etcd-server", error.Message, StringComparison.Ordinal);
    }
}
