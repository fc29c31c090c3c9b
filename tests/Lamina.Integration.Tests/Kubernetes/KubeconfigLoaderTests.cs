using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Configuration;
using Lamina.Kubernetes.Models;
using Lamina.Testing;

namespace Lamina.Integration.Tests.Kubernetes;

/// <summary>A kubeconfig the fixture writes works for kubectl and for <see cref="KubeconfigLoader"/> alike.</summary>
[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class KubeconfigLoaderTests(ApiServerFixture apiServer) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lamina-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Load_FixtureKubeconfig_ClientReachesServerAsAdmin()
    {
        var path = Path.Combine(_folder, "config");
        apiServer.WriteKubeconfig(path, defaultNamespace: "team-a");

        var configuration = KubeconfigLoader.Load(path);
        using var client = new KubernetesClient(configuration);
        var ns = await TestObjects.NamespaceAsync(client, "kubeconfig");
        var secret = await client.CreateAsync(TestObjects.Secret(ns, "s"));

        Assert.Equal(apiServer.Endpoint.Port, configuration.Server.Port);
        Assert.Equal("team-a", configuration.Namespace);
        Assert.Equal(secret.Metadata.Uid, (await client.GetAsync<Secret>(ns, "s")).Metadata.Uid);
    }

    [Fact]
    public async Task WriteKubeconfig_Kubectl_AcceptsItAndSeesTheSameServer()
    {
        var path = Path.Combine(_folder, "config");
        apiServer.WriteKubeconfig(path);
        using var client = apiServer.CreateKubernetesClient();
        var ns = await TestObjects.NamespaceAsync(client, "kubectl");

        var output = await new Kubectl(path).RunAsync(null, "get", "namespace", ns, "-o", "name");

        Assert.Equal($"namespace/{ns}", output.Trim());
    }
}
