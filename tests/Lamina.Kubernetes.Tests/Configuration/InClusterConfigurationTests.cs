using Lamina.Kubernetes.Configuration;
using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.Configuration;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InClusterConfigurationTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly TestCertificates _certificates = TestCertificates.Create(DateTimeOffset.UtcNow);
    private readonly Dictionary<string, string> _environment = new()
    {
        [InClusterConfiguration.HostVariable] = "10.96.0.1",
        [InClusterConfiguration.PortVariable] = "443",
    };

    public void Dispose()
    {
        _folder.Dispose();
        _certificates.Dispose();
    }

    [Fact]
    public async Task Load_ServiceAccountMounted_ServerCaTokenAndNamespace()
    {
        var paths = MountServiceAccount(token: "sa-token\n", ns: "lamina-system\n");

        var configuration = InClusterConfiguration.Load(paths, Environment);

        Assert.Equal(new Uri("https://10.96.0.1:443"), configuration.Server);
        Assert.Equal(_certificates.Authority.Thumbprint, Assert.Single(configuration.CertificateAuthorities).Thumbprint);
        Assert.Equal("sa-token", await configuration.TokenSource!.GetTokenAsync(CancellationToken.None));
        Assert.Equal("lamina-system", configuration.Namespace);
    }

    [Fact]
    public async Task Load_TokenRotatedInPlace_NextRequestGetsNewToken()
    {
        var time = new ManualTimeProvider();
        var paths = MountServiceAccount(token: "first");
        var configuration = InClusterConfiguration.Load(paths, Environment, time);
        Assert.Equal("first", await configuration.TokenSource!.GetTokenAsync(CancellationToken.None));

        // The kubelet writes the new token into a new folder and swaps a symlink: the file's mtime changes.
        File.WriteAllText(paths.TokenFile, "second");
        File.SetLastWriteTimeUtc(paths.TokenFile, DateTime.UtcNow.AddSeconds(5));

        Assert.Equal("second", await configuration.TokenSource.GetTokenAsync(CancellationToken.None));
    }

    [Fact]
    public void Load_IPv6ServiceHost_Bracketed()
    {
        _environment[InClusterConfiguration.HostVariable] = "fd00::1";
        _environment[InClusterConfiguration.PortVariable] = "6443";

        var configuration = InClusterConfiguration.Load(MountServiceAccount(), Environment);

        Assert.Equal("https://[fd00::1]:6443/", configuration.Server.ToString());
    }

    [Fact]
    public void Load_NoNamespaceFile_DefaultNamespace()
    {
        var paths = MountServiceAccount();
        File.Delete(paths.NamespaceFile);

        Assert.Equal("default", InClusterConfiguration.Load(paths, Environment).Namespace);
    }

    [Fact]
    public void Load_VariablesMissing_ErrorNamesBoth()
    {
        _environment.Clear();

        var error = Assert.Throws<KubernetesConfigurationException>(() => InClusterConfiguration.Load(MountServiceAccount(), Environment));

        Assert.Contains("KUBERNETES_SERVICE_HOST", error.Message, StringComparison.Ordinal);
        Assert.Contains("KUBERNETES_SERVICE_PORT", error.Message, StringComparison.Ordinal);
        Assert.False(InClusterConfiguration.IsAvailable(Environment));
    }

    [Fact]
    public void Load_PortNotANumber_ErrorNamesVariable()
    {
        _environment[InClusterConfiguration.PortVariable] = "https";

        var error = Assert.Throws<KubernetesConfigurationException>(() => InClusterConfiguration.Load(MountServiceAccount(), Environment));

        Assert.Contains("KUBERNETES_SERVICE_PORT='https'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TokenFileMissing_ErrorNamesPath()
    {
        var paths = MountServiceAccount();
        File.Delete(paths.TokenFile);

        var error = Assert.Throws<KubernetesConfigurationException>(() => InClusterConfiguration.Load(paths, Environment));

        Assert.Contains(paths.TokenFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CertificateAuthorityMissing_ErrorNamesPath()
    {
        var paths = MountServiceAccount();
        File.Delete(paths.CertificateAuthorityFile);

        var error = Assert.Throws<KubernetesConfigurationException>(() => InClusterConfiguration.Load(paths, Environment));

        Assert.Contains(paths.CertificateAuthorityFile, error.Message, StringComparison.Ordinal);
    }

    private string? Environment(string name) => _environment.GetValueOrDefault(name);

    private InClusterPaths MountServiceAccount(string token = "token", string ns = "default")
    {
        var directory = Path.Combine(_folder.Path, "serviceaccount");
        _folder.Write("serviceaccount/token", token);
        _folder.Write("serviceaccount/ca.crt", _certificates.AuthorityPem);
        _folder.Write("serviceaccount/namespace", ns);
        return InClusterPaths.InDirectory(directory);
    }
}
