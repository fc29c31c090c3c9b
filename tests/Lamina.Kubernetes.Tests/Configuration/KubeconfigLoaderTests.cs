using System.Text;
using Lamina.Kubernetes.Configuration;
using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.Configuration;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class KubeconfigLoaderTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly TestCertificates _certificates = TestCertificates.Create(DateTimeOffset.UtcNow);

    public void Dispose()
    {
        _folder.Dispose();
        _certificates.Dispose();
    }

    [Fact]
    public async Task Load_TokenAndInlineAuthority_ServerCaTokenAndNamespace()
    {
        var path = _folder.Write("config", Kubeconfig(
            cluster: $"server: https://10.1.2.3:6443\n    certificate-authority-data: {Base64(_certificates.AuthorityPem)}",
            user: "token: secret-token",
            context: "namespace: team-a"));

        var configuration = KubeconfigLoader.Load(path);

        Assert.Equal(new Uri("https://10.1.2.3:6443"), configuration.Server);
        Assert.Equal(_certificates.Authority.Thumbprint, Assert.Single(configuration.CertificateAuthorities).Thumbprint);
        Assert.False(configuration.SkipTlsVerify);
        Assert.Null(configuration.ClientCertificate);
        Assert.Equal("secret-token", await configuration.TokenSource!.GetTokenAsync(CancellationToken.None));
        Assert.Equal("team-a", configuration.Namespace);
    }

    [Fact]
    public async Task Load_RelativeTokenFile_ResolvedAgainstKubeconfigFolderAndReadAsFileToken()
    {
        _folder.Write("secrets/token", "file-token\n");
        var path = _folder.Write("kube/config", Kubeconfig(user: "tokenFile: ../secrets/token"));

        var configuration = KubeconfigLoader.Load(path);

        var source = Assert.IsType<FileTokenSource>(configuration.TokenSource);
        Assert.Equal(Path.Combine(_folder.Path, "secrets", "token"), source.Path);
        Assert.Equal("file-token", await source.GetTokenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Load_TokenAndTokenFile_InlineTokenWins()
    {
        _folder.Write("token", "from-file");
        var path = _folder.Write("config", Kubeconfig(user: "token: inline\n    tokenFile: token"));

        var configuration = KubeconfigLoader.Load(path);

        Assert.Equal("inline", await configuration.TokenSource!.GetTokenAsync(CancellationToken.None));
    }

    [Fact]
    public void Load_RelativeCertificateAuthorityFile_ResolvedAgainstKubeconfigFolder()
    {
        _folder.Write("kube/pki/ca.crt", _certificates.AuthorityPem);
        var path = _folder.Write("kube/config", Kubeconfig(cluster: "server: https://api:6443\n    certificate-authority: pki/ca.crt"));

        var configuration = KubeconfigLoader.Load(path);

        Assert.Equal(_certificates.Authority.Thumbprint, Assert.Single(configuration.CertificateAuthorities).Thumbprint);
    }

    [Fact]
    public void Load_ClientCertificateData_CertificateCarriesPrivateKey()
    {
        var path = _folder.Write("config", Kubeconfig(
            user: $"client-certificate-data: {Base64(_certificates.ServingPem)}\n    client-key-data: {Base64(_certificates.ServingKeyPem)}"));

        var configuration = KubeconfigLoader.Load(path);

        Assert.NotNull(configuration.ClientCertificate);
        Assert.Equal(_certificates.Serving.Thumbprint, configuration.ClientCertificate.Thumbprint);
        Assert.True(configuration.ClientCertificate.HasPrivateKey);
        Assert.Null(configuration.TokenSource);
    }

    [Fact]
    public void Load_RelativeClientCertificateFiles_ResolvedAgainstKubeconfigFolder()
    {
        _folder.Write("kube/certs/client.crt", _certificates.ServingPem);
        _folder.Write("kube/certs/client.key", _certificates.ServingKeyPem);
        var path = _folder.Write("kube/config", Kubeconfig(user: "client-certificate: certs/client.crt\n    client-key: certs/client.key"));

        var configuration = KubeconfigLoader.Load(path);

        Assert.Equal(_certificates.Serving.Thumbprint, configuration.ClientCertificate!.Thumbprint);
        Assert.True(configuration.ClientCertificate.HasPrivateKey);
    }

    [Fact]
    public void Load_DataAndFileBothGiven_DataWins()
    {
        using var other = TestCertificates.Create(DateTimeOffset.UtcNow);
        _folder.Write("ca.crt", other.AuthorityPem);
        var path = _folder.Write("config", Kubeconfig(
            cluster: $"server: https://api:6443\n    certificate-authority: ca.crt\n    certificate-authority-data: {Base64(_certificates.AuthorityPem)}"));

        var configuration = KubeconfigLoader.Load(path);

        Assert.Equal(_certificates.Authority.Thumbprint, Assert.Single(configuration.CertificateAuthorities).Thumbprint);
    }

    [Fact]
    public void Load_InsecureSkipTlsVerify_Set()
    {
        var path = _folder.Write("config", Kubeconfig(cluster: "server: https://api:6443\n    insecure-skip-tls-verify: true"));

        Assert.True(KubeconfigLoader.Load(path).SkipTlsVerify);
    }

    [Fact]
    public async Task Load_ExplicitContext_UsesThatContextsClusterUserAndNamespace()
    {
        var path = _folder.Write("config", """
            apiVersion: v1
            kind: Config
            current-context: first
            clusters:
            - name: one
              cluster: { server: "https://one:6443" }
            - name: two
              cluster: { server: "https://two:6443" }
            users:
            - name: alice
              user: { token: alice-token }
            - name: bob
              user: { token: bob-token }
            contexts:
            - name: first
              context: { cluster: one, user: alice, namespace: a }
            - name: second
              context: { cluster: two, user: bob, namespace: b }
            """);

        var configuration = KubeconfigLoader.Load(path, context: "second");

        Assert.Equal(new Uri("https://two:6443"), configuration.Server);
        Assert.Equal("bob-token", await configuration.TokenSource!.GetTokenAsync(CancellationToken.None));
        Assert.Equal("b", configuration.Namespace);
    }

    [Fact]
    public void Load_NamedContextMissing_ErrorNamesItAndListsTheOthers()
    {
        var path = _folder.Write("config", Kubeconfig());

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path, context: "staging"));

        Assert.Contains("no context named 'staging'", error.Message, StringComparison.Ordinal);
        Assert.Contains("contexts: test", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoCurrentContext_ErrorSaysSo()
    {
        var path = _folder.Write("config", Kubeconfig().Replace("current-context: test", "", StringComparison.Ordinal));

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path));

        Assert.Contains("sets no current-context", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ContextNamesUndefinedCluster_ErrorNamesCluster()
    {
        var path = _folder.Write("config", Kubeconfig().Replace("cluster: test", "cluster: missing", StringComparison.Ordinal));

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path));

        Assert.Contains("cluster 'missing'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ContextNamesUndefinedUser_ErrorNamesUser()
    {
        var path = _folder.Write("config", Kubeconfig().Replace("user: test", "user: nobody", StringComparison.Ordinal));

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path));

        Assert.Contains("user 'nobody'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExecCredentials_ErrorSaysUnsupported()
    {
        var path = _folder.Write("config", Kubeconfig(user: "exec:\n      command: aws\n      apiVersion: client.authentication.k8s.io/v1beta1"));

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path));

        Assert.Contains("'exec'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not support", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CertificateWithoutKey_ErrorNamesTheMissingHalf()
    {
        var path = _folder.Write("config", Kubeconfig(user: $"client-certificate-data: {Base64(_certificates.ServingPem)}"));

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path));

        Assert.Contains("without its key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AuthorityDataNotBase64_ErrorNamesField()
    {
        var path = _folder.Write("config", Kubeconfig(cluster: "server: https://api:6443\n    certificate-authority-data: '%%%'"));

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path));

        Assert.Contains("certificate-authority-data is not base64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingTokenFile_ErrorNamesResolvedPath()
    {
        var path = _folder.Write("config", Kubeconfig(user: "tokenFile: nowhere/token"));

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path));

        Assert.Contains(Path.Combine(_folder.Path, "nowhere", "token"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoNamespaceInContext_Default()
    {
        var path = _folder.Write("config", Kubeconfig());

        Assert.Equal("default", KubeconfigLoader.Load(path).Namespace);
    }

    [Fact]
    public void Load_FileMissing_ErrorNamesPath()
    {
        var path = Path.Combine(_folder.Path, "absent");

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotYaml_ErrorSaysSo()
    {
        var path = _folder.Write("config", "clusters: [unclosed");

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path));

        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ServerMissing_ErrorNamesCluster()
    {
        var path = _folder.Write("config", Kubeconfig(cluster: "insecure-skip-tls-verify: true"));

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path));

        Assert.Contains("cluster 'test'", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no server", error.Message, StringComparison.Ordinal);
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>A one-context kubeconfig (cluster, user and context all named <c>test</c>) with the given fields.</summary>
    private static string Kubeconfig(string cluster = "server: https://api:6443", string user = "token: t", string context = "") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            {cluster}
        users:
        - name: test
          user:
            {user}
        contexts:
        - name: test
          context:
            cluster: test
            user: test
            {context}
        current-context: test
        """;
}
