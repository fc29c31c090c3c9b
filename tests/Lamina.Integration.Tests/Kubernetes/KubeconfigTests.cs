extern alias laminaoperator;

using System.Globalization;
using k8s;
using k8s.Models;
using Lamina.Kubernetes.Client;
using laminaoperator::Lamina.Operator.Api;
using Lamina.Testing;
using Lamina.Testing.Fakes;

namespace Lamina.Integration.Tests.Kubernetes;

/// <summary>
/// Kubeconfigs as users have them, read by the library's <see cref="KubernetesClientConfiguration"/>:
/// the fixture's own (a token), and one whose user is an exec credential plugin (how EKS, GKE and
/// AKS kubeconfigs authenticate), with the operator and the gateway program working through it.
/// </summary>
[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class KubeconfigTests(ApiServerFixture apiServer) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _folder = Directory.CreateTempSubdirectory("lamina-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task BuildConfigFromConfigFile_FixtureKubeconfig_ClientReachesServerAsAdmin()
    {
        var path = Path.Combine(_folder, "config");
        apiServer.WriteKubeconfig(path, defaultNamespace: "team-a");

        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        using var client = new KubernetesObjectClient(new k8s.Kubernetes(configuration), disposeKubernetes: true);
        var ns = await TestObjects.NamespaceAsync(client, "kubeconfig");
        var secret = await client.CreateAsync(TestObjects.Secret(ns, "s"));

        Assert.Equal(apiServer.Endpoint.Port, new Uri(configuration.Host).Port);
        Assert.Equal("team-a", configuration.Namespace);
        Assert.Equal(secret.Metadata.Uid, (await client.GetAsync<V1Secret>(ns, "s")).Metadata.Uid);
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

    [Fact]
    public async Task ExecPluginKubeconfig_OperatorAndGateway_AuthenticateThroughThePlugin()
    {
        var path = Path.Combine(_folder, "exec-config");
        apiServer.WriteKubeconfig(path, execPlugin: true);
        using (var http = apiServer.CreateHttpClient())
        {
            await CustomResources.InstallFunctionCrdAsync(http);
        }

        using var admin = apiServer.CreateKubernetesClient();
        var ns = await TestObjects.NamespaceAsync(admin, "exec");

        // The operator, with its client made the way the program makes it (the library reads the kubeconfig).
        using var viaPlugin = new KubernetesObjectClient(new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path)), disposeKubernetes: true);
        await using (var running = await RunningOperator.StartAsync(viaPlugin, new RecordingEventRecorder(), ns))
        {
            await admin.CreateAsync(new Function
            {
                Metadata = new V1ObjectMeta { Name = "plugged", NamespaceProperty = ns },
                Spec = new FunctionSpec { Image = "docker.io/lamina/example-node:dev", Handler = "index.handler" },
            });
            V1Deployment? deployment = null;
            await Eventually.HoldsAsync(() => deployment is not null, Deadline, "the operator creates the Deployment", async () =>
            {
                try
                {
                    deployment = await admin.GetAsync<V1Deployment>(ns, "plugged-fn");
                }
                catch (KubernetesApiException e) when (e.IsNotFound)
                {
                    deployment = null;
                }
            });

            // The gateway program: ready only once its informers have listed, and it has read the
            // operator's Lease to find the concurrency controller, through the plugin's token.
            await using var gateway = await GatewayProcess.StartAsync(path, ["--auth=none", $"--Lamina:Gateway:Controller:LeaseNamespace={ns}"]);
            Assert.False(gateway.Process.HasExited);
        }

        var calls = File.ReadAllLines(path + ".exec-calls").Length;
        Assert.True(calls >= 2, string.Create(CultureInfo.InvariantCulture, $"the exec plugin ran {calls} times; the operator and the gateway should each have run it"));
    }
}
