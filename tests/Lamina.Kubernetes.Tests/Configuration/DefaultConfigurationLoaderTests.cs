using Lamina.Kubernetes.Configuration;
using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.Configuration;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class DefaultConfigurationLoaderTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly Dictionary<string, string> _environment = [];

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Load_KubeconfigVariableWithSeveralPaths_FirstFileWins()
    {
        var first = _folder.Write("first", Kubeconfig("https://first:6443"));
        var second = _folder.Write("second", Kubeconfig("https://second:6443"));
        _folder.Write("home/.kube/config", Kubeconfig("https://home:6443"));
        _environment["KUBECONFIG"] = $"{first}{Path.PathSeparator}{second}";

        var configuration = Load();

        Assert.Equal(new Uri("https://first:6443"), configuration.Server);
    }

    [Fact]
    public void Load_KubeconfigVariableNamesMissingFile_ErrorNamesFileInsteadOfFallingBack()
    {
        _folder.Write("home/.kube/config", Kubeconfig("https://home:6443"));
        var missing = Path.Combine(_folder.Path, "missing");
        _environment["KUBECONFIG"] = missing;

        var error = Assert.Throws<KubernetesConfigurationException>(Load);

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoVariable_HomeKubeconfig()
    {
        _folder.Write("home/.kube/config", Kubeconfig("https://home:6443"));

        Assert.Equal(new Uri("https://home:6443"), Load().Server);
    }

    [Fact]
    public void Load_NoKubeconfigAnywhere_InCluster()
    {
        using var certificates = TestCertificates.Create(DateTimeOffset.UtcNow);
        _folder.Write("sa/token", "t");
        _folder.Write("sa/ca.crt", certificates.AuthorityPem);
        _environment[InClusterConfiguration.HostVariable] = "10.0.0.1";
        _environment[InClusterConfiguration.PortVariable] = "443";

        Assert.Equal(new Uri("https://10.0.0.1:443"), Load().Server);
    }

    [Fact]
    public void Load_NothingConfigured_ErrorNamesAllThreePlaces()
    {
        var error = Assert.Throws<KubernetesConfigurationException>(Load);

        Assert.Contains("KUBECONFIG is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_folder.Path, "home", ".kube", "config"), error.Message, StringComparison.Ordinal);
        Assert.Contains("KUBERNETES_SERVICE_HOST", error.Message, StringComparison.Ordinal);
    }

    private KubernetesClientConfiguration Load() =>
        DefaultConfigurationLoader.Load(
            name => _environment.GetValueOrDefault(name),
            Path.Combine(_folder.Path, "home"),
            InClusterPaths.InDirectory(Path.Combine(_folder.Path, "sa")),
            TimeProvider.System);

    private static string Kubeconfig(string server) => $"""
        clusters:
        - name: c
          cluster: {"{"} server: "{server}" {"}"}
        users:
        - name: u
          user: {"{"} token: t {"}"}
        contexts:
        - name: x
          context: {"{"} cluster: c, user: u {"}"}
        current-context: x
        """;
}
