using System.IO.Compression;
using System.Text;
using System.Text.Json;
using k8s.Models;
using Lamina.CodeStore;
using Lamina.Kubernetes.Client;
using Lamina.Operator.Api;
using Lamina.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Lamina.EndToEnd.Tests.Chart;

/// <summary>
/// Issue 21 end to end, on the chart's release: zips pushed into the chart's code store, Functions
/// naming them by digest on each managed runtime (and one from a ConfigMap), invoked with boto3
/// through the chart's gateway; the pods fetch their code through the gateway's code endpoint with
/// their projected tokens. A missing blob is a failed init with its reason, never a running function.
/// </summary>
[Collection(LocalClusterCollection.Name)]
[Trait(TestTiers.Category, TestTiers.EndToEnd)]
public sealed class ChartCodeTests(ChartInstallation installed, ITestOutputHelper output) : IClassFixture<ChartInstallation>, IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    private KubernetesObjectClient _client = null!;
    private ServiceProvider _services = null!;
    private string _passwordFile = "";

    private string Functions => installed.Release.FunctionsNamespace;

    public async Task InitializeAsync()
    {
        _client = new KubernetesObjectClient(new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(installed.Cluster.Layout.ClusterKubeconfig)), disposeKubernetes: true);
        // The store as the gateway reaches it: the Service's address (the local cluster routes the host to it) and the chart's credential.
        var name = $"{installed.Release.Name}-code-store";
        var secret = await _client.GetAsync<V1Secret>(installed.Release.Namespace, name);
        var service = await _client.GetAsync<V1Service>(installed.Release.Namespace, name);
        _passwordFile = Path.GetTempFileName();
        await File.WriteAllBytesAsync(_passwordFile, secret.Data["password"]);
        var services = new ServiceCollection().AddLogging();
        services.AddCodeStore(configure: o =>
        {
            o.Url = $"http://{service.Spec.ClusterIP}:{service.Spec.Ports[0].Port}";
            o.Username = Encoding.UTF8.GetString(secret.Data["username"]);
            o.PasswordFile = _passwordFile;
        });
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        try
        {
            await installed.Cluster.Kubectl.RunAsync(null, "delete", "functions.lamina.dev", "--all", "-n", Functions, "--wait=true");
            await Eventually.HoldsAsync(async () => (await _client.ListAsync<V1Pod>(Functions)).Items.Count == 0, Deadline, "the test's function pods are gone");
        }
        finally
        {
            await _services.DisposeAsync();
            File.Delete(_passwordFile);
            _client.Dispose();
        }
    }

    private ICodeStore Store => _services.GetRequiredService<ICodeStore>();

    [Fact]
    public async Task Invoke_ZipFunctionOnEachManagedRuntime_AnsweredAsLambdaAnswers()
    {
        var python = await PushAsync(CodeKind.Function, ("app.py", """
            import json
            def handler(event, context):
                return {"runtime": "python", "event": event, "requestId": context.aws_request_id, "memory": context.memory_limit_in_mb}
            def fail(event, context):
                raise ValueError("order 42 is invalid")
            """, false));
        var esm = await PushAsync(CodeKind.Function, ("index.mjs", """
            export const handler = async (event) => ({ runtime: "node-esm", event });
            """, false));
        var layer = await PushAsync(CodeKind.Layer, ("nodejs/node_modules/greeting/index.js", """
            module.exports = (name) => `hello ${name} from a layer`;
            """, false));
        var cjs = await PushAsync(CodeKind.Function, ("index.js", """
            const greeting = require("greeting");
            exports.handler = async (event) => ({ runtime: "node-cjs", greeting: greeting(event.name) });
            """, false));
        var bootstrap = await PushAsync(CodeKind.Function, ("bootstrap", """
            #!/bin/bash
            set -euo pipefail
            api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation"
            while true; do
              headers="$(mktemp)"
              event="$(curl -sS -D "$headers" "$api/next")"
              id="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | cut -d' ' -f2 | tr -d '\r\n')"
              curl -sS -X POST "$api/$id/response" -d "{\"runtime\":\"provided\",\"event\":$event}" >/dev/null
              rm -f "$headers"
            done
            """, true));

        await Task.WhenAll(
            CreateAsync("py", "python3.11", "app.handler", python),
            CreateAsync("pyfail", "python3.11", "app.fail", python),
            CreateAsync("esm", "nodejs22.x", "index.handler", esm),
            CreateAsync("cjs", "nodejs22.x", "index.handler", cjs, layers: [layer]),
            CreateAsync("bash", "provided.al2023", null, bootstrap));

        var py = await InvokeAsync("py", """{"order":42}""");
        Assert.Equal("python", py.GetProperty("runtime").GetString());
        Assert.Equal(42, py.GetProperty("event").GetProperty("order").GetInt32());
        Assert.Equal("128", py.GetProperty("memory").GetString()); // a str in Lambda's Python context too

        var failed = await installed.Aws.Boto3InvokeAsync($"{Functions}.pyfail", "{}"u8.ToArray());
        Assert.Equal(200, failed.StatusCode);
        Assert.Equal("Unhandled", failed.FunctionError);
        using var error = JsonDocument.Parse(failed.Payload!);
        Assert.Equal("ValueError", error.RootElement.GetProperty("errorType").GetString());
        Assert.Equal("order 42 is invalid", error.RootElement.GetProperty("errorMessage").GetString());
        Assert.NotEmpty(error.RootElement.GetProperty("stackTrace").EnumerateArray());

        Assert.Equal("node-esm", (await InvokeAsync("esm", """{"a":1}""")).GetProperty("runtime").GetString());
        Assert.Equal("hello ada from a layer", (await InvokeAsync("cjs", """{"name":"ada"}""")).GetProperty("greeting").GetString());
        Assert.Equal("provided", (await InvokeAsync("bash", """{"b":2}""")).GetProperty("runtime").GetString());
    }

    [Fact]
    public async Task Invoke_ZipFromALabelledConfigMap_Answered()
    {
        var zip = Zip(("app.py", "def handler(event, context):\n    return {'from': 'configmap'}\n", false));
        await _client.CreateAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "gitops-code", NamespaceProperty = Functions, Labels = new Dictionary<string, string> { ["lamina.dev/code"] = "true" } },
            BinaryData = new Dictionary<string, byte[]> { ["function.zip"] = zip },
        });
        await CreateFunctionAsync("fromcm", "python3.11", "app.handler", new FunctionCode { ConfigMap = new FunctionCodeConfigMap { Name = "gitops-code", Key = "function.zip" } }, null);

        Assert.Equal("configmap", (await InvokeAsync("fromcm", "{}")).GetProperty("from").GetString());
    }

    [Fact]
    public async Task Apply_ZipMissingFromTheStore_ReadyFalseCodeFetchFailedWithTheReason()
    {
        var absent = new StoredCode(new string('a', 64), 1234, "");
        await CreateAsync("ghost", "python3.11", "app.handler", absent);
        var pods = new ListOptions { LabelSelector = "lamina.dev/function=ghost" };
        // A function at zero has no pod to fail: one invocation asks for an environment.
        var invoking = installed.Aws.Boto3InvokeAsync($"{Functions}.ghost", "{}"u8.ToArray());

        V1Condition? ready = null;
        await Eventually.HoldsAsync(async () =>
        {
            var function = await _client.GetAsync<Function>(Functions, "ghost");
            ready = function.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
            return ready is { Status: "False", Reason: "CodeFetchFailed" };
        }, Deadline, "Ready=False CodeFetchFailed");

        output.WriteLine(ready!.Message);
        Assert.Contains("no blob", ready.Message, StringComparison.OrdinalIgnoreCase);
        // The function never ran: no pod's function container started.
        Assert.All((await _client.ListAsync<V1Pod>(Functions, pods)).Items, pod =>
            Assert.DoesNotContain(pod.Status?.ContainerStatuses ?? [], c => c.Name == "function" && c.State?.Running is not null));
        var result = await invoking;
        Assert.NotEqual(200, result.StatusCode);
    }

    private async Task<JsonElement> InvokeAsync(string function, string payload)
    {
        var result = await installed.Aws.Boto3InvokeAsync($"{Functions}.{function}", Encoding.UTF8.GetBytes(payload));
        var body = result.Payload is null ? "" : Encoding.UTF8.GetString(result.Payload);
        Assert.True(result.StatusCode == 200 && result.FunctionError is null, $"{function}: {result.StatusCode} {result.HttpStatus} {result.ErrorCode} {result.ErrorMessage} {result.FunctionError} {body}; {await DescribeAsync(function)}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<string> DescribeAsync(string name)
    {
        var function = await _client.GetAsync<Function>(Functions, name);
        var pods = (await _client.ListAsync<V1Pod>(Functions, new ListOptions { LabelSelector = $"lamina.dev/function={name}" })).Items;
        return $"conditions {JsonSerializer.Serialize(function.Status?.Conditions)}; pods {string.Join(", ", pods.Select(p => $"{p.Metadata.Name} {p.Status?.Phase} init {JsonSerializer.Serialize(p.Status?.InitContainerStatuses?.Select(c => c.State))}"))}";
    }

    private async Task<StoredCode> PushAsync(CodeKind kind, params (string Path, string Text, bool Executable)[] files)
    {
        using var zip = new MemoryStream(Zip(files));
        return await Store.PutAsync(Functions, zip, kind, CancellationToken.None);
    }

    private static byte[] Zip(params (string Path, string Text, bool Executable)[] files)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, text, executable) in files)
            {
                var entry = archive.CreateEntry(path);
                // Unix mode in the high 16 bits, as zip(1) writes it: a bootstrap must stay executable.
                entry.ExternalAttributes = (executable ? 0b111_101_101 : 0b110_100_100) << 16;
                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n")));
            }
        }

        return buffer.ToArray();
    }

    private Task CreateAsync(string name, string runtime, string? handler, StoredCode code, IReadOnlyList<StoredCode>? layers = null) =>
        CreateFunctionAsync(name, runtime, handler, new FunctionCode { Zip = new FunctionCodeZip { Sha256 = code.Sha256Hex, Size = code.Size } }, layers);

    private async Task CreateFunctionAsync(string name, string runtime, string? handler, FunctionCode code, IReadOnlyList<StoredCode>? layers)
    {
        await _client.CreateAsync(new Function
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Functions },
            Spec = new FunctionSpec
            {
                Runtime = runtime,
                Handler = handler,
                Code = code,
                Layers = layers?.Select(l => new FunctionLayer { Sha256 = l.Sha256Hex, Size = l.Size }).ToList(),
                TimeoutSeconds = 10,
                Scaling = new FunctionScaling { IdleSeconds = 600 },
            },
        });
        await Eventually.HoldsAsync(async () =>
        {
            var function = await _client.GetAsync<Function>(Functions, name);
            return function.Status?.ObservedGeneration == function.Metadata.Generation;
        }, Deadline, $"the chart's operator reconciles {name}");
    }
}
