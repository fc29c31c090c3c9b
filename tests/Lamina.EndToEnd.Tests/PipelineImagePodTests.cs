using System.Globalization;
using Lamina.Testing;

namespace Lamina.EndToEnd.Tests;

/// <summary>An image built by hack/images runs as a pod and serves HTTP on its pod IP.</summary>
[Collection(LocalClusterCollection.Name)]
[Trait(TestTiers.Category, TestTiers.EndToEnd)]
public sealed class PipelineImagePodTests(LocalCluster cluster) : IAsyncLifetime
{
    private readonly string _namespace = "e2e-pipeline-" + DateTime.UtcNow.ToString("HHmmssfff", CultureInfo.InvariantCulture);

    public Task InitializeAsync() => cluster.Kubectl.RunAsync(null, "create", "namespace", _namespace);

    public Task DisposeAsync() => cluster.Kubectl.RunAsync(null, "delete", "namespace", _namespace, "--wait=false");

    [Fact]
    public async Task EchoPod_FromImportedImage_AnswersOnPodIp()
    {
        const string pod = "echo";
        await cluster.Kubectl.RunAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: {{pod}}, namespace: {{_namespace}} }
            spec:
              automountServiceAccountToken: false
              terminationGracePeriodSeconds: 1
              containers:
              - name: echo
                image: docker.io/lamina/echo:dev
                imagePullPolicy: Never
                readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
                securityContext:
                  runAsNonRoot: true
                  allowPrivilegeEscalation: false
                  readOnlyRootFilesystem: true
                  capabilities: { drop: [ALL] }
            """, "apply", "-f", "-");

        await cluster.Kubectl.RunAsync(null, "wait", "--for=condition=Ready", $"pod/{pod}", "-n", _namespace, "--timeout=120s");
        var podIp = await cluster.Kubectl.RunAsync(null, "get", "pod", pod, "-n", _namespace, "-o", "jsonpath={.status.podIP}");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var body = await http.GetStringAsync(new Uri($"http://{podIp}:8080/from-e2e"));

        Assert.StartsWith("10.244.0.", podIp, StringComparison.Ordinal);
        Assert.Equal($"lamina-echo {pod} GET /from-e2e\n", body);
    }
}
