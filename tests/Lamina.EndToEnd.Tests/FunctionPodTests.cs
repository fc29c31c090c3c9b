using System.Net;
using System.Text;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Testing;

namespace Lamina.EndToEnd.Tests;

/// <summary>
/// A Function on the real cluster with each example runtime image: the init container installs the
/// shim into the pod, the shim runs inside the example image (which has no .NET and, for the Node
/// one, no shell), the runtime initialises, the pod turns Ready, and an invocation through the invoke
/// contract on the pod's IP returns the event with the log tail, as the gateway will use it.
/// </summary>
[Collection(LocalClusterCollection.Name)]
[Trait(TestTiers.Category, TestTiers.EndToEnd)]
public sealed class FunctionPodTests(LocalCluster cluster) : IAsyncLifetime
{
    private FunctionNamespace _namespace = null!;

    public async Task InitializeAsync() => _namespace = await FunctionNamespace.CreateAsync(cluster, "e2e-pod-");

    public async Task DisposeAsync() => await _namespace.DisposeAsync();

    [Theory]
    [InlineData("provided", "docker.io/lamina/example-provided:dev", "function.handler")]
    [InlineData("node", "docker.io/lamina/example-node:dev", "index.handler")]
    public async Task Function_ExampleImage_PodReadyAndInvocable(string name, string image, string handler)
    {
        await _namespace.Client.CreateAsync(new Function
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = _namespace.Name },
            // One provisioned environment, so that a pod starts without an invocation.
            Spec = new FunctionSpec { Image = image, Handler = handler, TimeoutSeconds = 10, Concurrency = new FunctionConcurrency { Provisioned = 1 } },
        });

        // Ready means: the shim was installed, started in the example image, and the runtime called next.
        var pods = "";
        await Eventually.HoldsAsync(() => pods.Length > 0, TimeSpan.FromSeconds(60), "the Deployment creates a pod", async () =>
            pods = await cluster.Kubectl.RunAsync(null, "get", "pod", "-l", $"lamina.dev/function={name}", "-n", _namespace.Name, "-o", "name"));
        await cluster.Kubectl.RunAsync(null, "wait", "--for=condition=Ready", "pod", "-l", $"lamina.dev/function={name}", "-n", _namespace.Name, "--timeout=180s");
        var podIp = await cluster.Kubectl.RunAsync(null, "get", "pod", "-l", $"lamina.dev/function={name}", "-n", _namespace.Name, "-o", "jsonpath={.items[0].status.podIP}");
        var podName = await cluster.Kubectl.RunAsync(null, "get", "pod", "-l", $"lamina.dev/function={name}", "-n", _namespace.Name, "-o", "jsonpath={.items[0].metadata.name}");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var requestId = Guid.NewGuid().ToString("D");
        const string payload = """{"from":"e2e","n":[1,2,3]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://{podIp}:8080/lamina/v1/invoke"))
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Lamina-Request-Id", requestId);
        request.Headers.Add("Lamina-Log-Type", "Tail");
        // As a gateway does: the first token of the operator's Secret (only gateways get in).
        var tokens = await _namespace.Client.GetAsync<V1Secret>(_namespace.Name, "lamina-invoke-token");
        request.Headers.Add("Lamina-Token", Encoding.UTF8.GetString(tokens.Data["tokens"]).Split('\n')[0]);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(payload, body);
        Assert.Equal("completed", Header(response, "Lamina-Status"));
        // A provisioned environment initialised before traffic: its first invocation is no cold start.
        Assert.Equal("false", Header(response, "Lamina-Cold-Start"));
        Assert.False(response.Headers.Contains("Lamina-Function-Error"));
        var tail = Encoding.UTF8.GetString(Convert.FromBase64String(Header(response, "Lamina-Log-Result")));
        Assert.Contains($"START RequestId: {requestId}", tail, StringComparison.Ordinal);
        Assert.Contains($"REPORT RequestId: {requestId}", tail, StringComparison.Ordinal);

        // The function's log reaches the container log, and the shim's metrics carry the function's labels.
        var logs = await cluster.Kubectl.RunAsync(null, "logs", podName, "-n", _namespace.Name, "-c", "function");
        Assert.Contains($"END RequestId: {requestId}", logs, StringComparison.Ordinal);
        var metrics = await http.GetStringAsync(new Uri($"http://{podIp}:9090/metrics"));
        Assert.Contains($"lamina_invocations_total{{function=\"{name}\",invocation_type=\"RequestResponse\",namespace=\"{_namespace.Name}\"}} 1", metrics, StringComparison.Ordinal);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : throw new Xunit.Sdk.XunitException($"no {name} header");
}
