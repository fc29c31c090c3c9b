using System.Collections.Concurrent;
using System.Text;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Testing;

namespace Lamina.EndToEnd.Tests.Gateway;

/// <summary>
/// The gateway on the real cluster with the clients Lambda users have: the AWS CLI and boto3, signing
/// with an access key held in a Secret, invoking the example Functions (bash and the Node RIC) through
/// gateway → shim → runtime.
/// </summary>
[Collection(LocalClusterCollection.Name)]
[Trait(TestTiers.Category, TestTiers.EndToEnd)]
public sealed class GatewayInvokeTests(LocalCluster cluster) : IAsyncLifetime
{
    private const string KeyId = "AKIALAMINAE2E0000001";
    private const string Secret = "e2e/secret/key/for/lamina/gateway/tests0";
    private const string OtherKeyId = "AKIALAMINAE2E0000002";
    private const string OtherSecret = "e2e/secret/key/of/a/caller/elsewhere/000";

    private FunctionNamespace _namespace = null!;
    private GatewayProcess _gateway = null!;
    private AwsClients _aws = null!;

    public async Task InitializeAsync()
    {
        _namespace = await FunctionNamespace.CreateAsync(cluster, "e2e-gw-");
        var ns = _namespace.Name;
        foreach (var (name, image) in new[] { ("bash", "docker.io/lamina/example-provided:dev"), ("node", "docker.io/lamina/example-node:dev") })
        {
            await _namespace.Client.CreateAsync(new Function
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                // One provisioned environment: warm before the tests, as these are about the data path, not scaling.
                Spec = new FunctionSpec { Image = image, TimeoutSeconds = 3, Concurrency = new FunctionConcurrency { Provisioned = 1 } },
            });
        }

        await AccessKeySecretAsync("caller", KeyId, Secret, ns);
        await AccessKeySecretAsync("other", OtherKeyId, OtherSecret, "somewhere-else");
        await WaitForReadyPodsAsync("bash", 1);
        await WaitForReadyPodsAsync("node", 1);
        _gateway = await GatewayProcess.StartAsync(cluster.Layout.ClusterKubeconfig, GatewayArguments(ns));
        _aws = new AwsClients(_gateway.Endpoint, KeyId, Secret);
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await _namespace.DisposeAsync();
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("node")]
    public async Task Invoke_Cli_ResultByteForByteWithLogTail(string function)
    {
        // Compact, canonical JSON: the Node RIC re-serialises the event (JSON.stringify), so only
        // that form round-trips byte for byte on every runtime.
        var payload = Encoding.UTF8.GetBytes("""{"from":"aws-cli","list":[1,2,3],"text":"café ✓"}""");

        var result = await _aws.CliInvokeAsync($"{_namespace.Name}.{function}", payload, "--log-type", "Tail");

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(payload, result.Payload);
        Assert.Equal(200, result.Output.GetProperty("StatusCode").GetInt32());
        Assert.Equal("$LATEST", result.Output.GetProperty("ExecutedVersion").GetString());
        Assert.False(result.Output.TryGetProperty("FunctionError", out _));
        var tail = Encoding.UTF8.GetString(Convert.FromBase64String(result.Output.GetProperty("LogResult").GetString()!));
        Assert.Contains("conformance: request ", tail, StringComparison.Ordinal);
        Assert.Contains("REPORT RequestId: ", tail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("node")]
    public async Task Invoke_Boto3BareName_ResolvesInTheDefaultNamespace(string function)
    {
        var payload = """{"from":"boto3"}"""u8.ToArray();

        var result = await _aws.Boto3InvokeAsync(function, payload);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal(payload, result.Payload);
        Assert.Null(result.FunctionError);
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("node")]
    public async Task Invoke_FunctionFails_Unhandled(string function)
    {
        var result = await _aws.Boto3InvokeAsync(function, """{"fail":"on purpose"}"""u8.ToArray());

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Contains("on purpose", Encoding.UTF8.GetString(result.Payload!), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("node")]
    public async Task Invoke_RuntimeExits_Unhandled(string function)
    {
        var result = await _aws.Boto3InvokeAsync(function, """{"exit":3}"""u8.ToArray());

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Contains("Runtime.ExitError", Encoding.UTF8.GetString(result.Payload!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_TakesLongerThanTheTimeout_UnhandledTimedOut()
    {
        var result = await _aws.Boto3InvokeAsync("node", """{"sleepMs":10000}"""u8.ToArray());

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Contains("Task timed out after 3.00 seconds", Encoding.UTF8.GetString(result.Payload!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_DryRun_204()
    {
        var result = await _aws.Boto3InvokeAsync("bash", "{}"u8.ToArray(), invocationType: "DryRun");

        Assert.Equal(204, result.StatusCode);
    }

    [Fact]
    public async Task Invoke_UnknownFunction_ResourceNotFound()
    {
        var result = await _aws.Boto3InvokeAsync("no-such-function", "{}"u8.ToArray());

        Assert.Equal(404, result.HttpStatus);
        Assert.Equal("ResourceNotFoundException", result.ErrorCode);
    }

    [Fact]
    public async Task Invoke_InvalidJson_InvalidRequestContent()
    {
        var result = await _aws.Boto3InvokeAsync("bash", "{not json"u8.ToArray());

        Assert.Equal(400, result.HttpStatus);
        Assert.Equal("InvalidRequestContentException", result.ErrorCode);
    }

    [Fact]
    public async Task Invoke_OneByteOverSixMegabytes_RequestTooLarge()
    {
        var payload = new byte[6_291_456 + 1];
        payload.AsSpan().Fill((byte)' ');
        payload[0] = (byte)'{';
        payload[^1] = (byte)'}';

        var result = await _aws.Boto3InvokeAsync("bash", payload);

        Assert.Equal(413, result.HttpStatus);
        Assert.Equal("RequestTooLargeException", result.ErrorCode);
    }

    [Fact]
    public async Task Invoke_WrongSecret_InvalidSignature()
    {
        var wrong = new AwsClients(_gateway.Endpoint, KeyId, Secret + "x");

        var result = await wrong.Boto3InvokeAsync("bash", "{}"u8.ToArray());

        Assert.Equal(403, result.HttpStatus);
        Assert.Equal("InvalidSignatureException", result.ErrorCode);
    }

    [Fact]
    public async Task Invoke_UnknownKey_UnrecognizedClient()
    {
        var stranger = new AwsClients(_gateway.Endpoint, "AKIANOBODYKNOWSTHIS0", Secret);

        var result = await stranger.Boto3InvokeAsync("bash", "{}"u8.ToArray());

        Assert.Equal(403, result.HttpStatus);
        Assert.Equal("UnrecognizedClientException", result.ErrorCode);
    }

    [Fact]
    public async Task Invoke_SignedTwentyMinutesAgo_InvalidSignature()
    {
        var result = await _aws.Boto3InvokeAsync("bash", "{}"u8.ToArray(), clockSkewSeconds: -20 * 60);

        Assert.Equal(403, result.HttpStatus);
        Assert.Equal("InvalidSignatureException", result.ErrorCode);
        Assert.Contains("Signature expired", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_NamespaceNotGranted_AccessDeniedAlikeWhetherItExistsOrNot()
    {
        var other = new AwsClients(_gateway.Endpoint, OtherKeyId, OtherSecret);

        var existing = await other.Boto3InvokeAsync($"{_namespace.Name}.bash", "{}"u8.ToArray());
        var missing = await other.Boto3InvokeAsync($"{_namespace.Name}.nothing-here", "{}"u8.ToArray());

        Assert.Equal(403, existing.HttpStatus);
        Assert.Equal("AccessDeniedException", existing.ErrorCode);
        Assert.Equal(403, missing.HttpStatus);
        Assert.Equal("AccessDeniedException", missing.ErrorCode);
        Assert.Equal(existing.ErrorMessage!.Replace("bash", "X", StringComparison.Ordinal), missing.ErrorMessage!.Replace("nothing-here", "X", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invoke_FiveClientsTwoGatewaysOneEnvironmentTwentySeconds_NeverTwoAtOnce()
    {
        // Two gateway replicas share nothing but the cluster: the shim's busy answer keeps the
        // environment single-threaded whichever replica a client talks to.
        await using var second = await GatewayProcess.StartAsync(cluster.Layout.ClusterKubeconfig, GatewayArguments(_namespace.Name));
        AwsClients[] gateways = [_aws, new AwsClients(second.Endpoint, KeyId, Secret)];
        using var witness = Witness.Start("10.244.0.1");
        var payload = Encoding.UTF8.GetBytes($$"""{"witness":"{{witness.Url}}","sleepMs":50}""");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var answers = new ConcurrentBag<int>();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(client => Task.Run(async () =>
        {
            while (DateTime.UtcNow < until)
            {
                var result = await gateways[client % 2].Boto3InvokeAsync("node", payload);
                answers.Add(result.StatusCode ?? result.HttpStatus ?? 0);
            }
        })));

        Assert.True(witness.Starts > 0, "no invocation reached the witness");
        Assert.All(witness.MaximumByPod, pair => Assert.Equal(1, pair.Value));
        Assert.All(answers, status => Assert.True(status is 200 or 429 or 502, $"unexpected status {status}"));
    }

    [Fact]
    public async Task Invoke_PodKilledWithInvocationsInFlight_EveryRequestAnswered()
    {
        using var witness = Witness.Start("10.244.0.1");
        var payload = Encoding.UTF8.GetBytes($$"""{"witness":"{{witness.Url}}","sleepMs":2000}""");
        var invocations = Enumerable.Range(0, 6).Select(_ => _aws.Boto3InvokeAsync("node", payload)).ToList();
        await Eventually.HoldsAsync(() => witness.Starts > 0, TimeSpan.FromSeconds(60), "an invocation is running");
        var pods = (await cluster.Kubectl.RunAsync(null, "get", "pod", "-l", "lamina.dev/function=node", "-n", _namespace.Name, "-o", "jsonpath={.items[*].metadata.name}")).Split(' ');
        await cluster.Kubectl.RunAsync(null, "delete", "pod", pods[0], "-n", _namespace.Name, "--grace-period=0", "--force");
        var results = await Task.WhenAll(invocations);

        Assert.All(results, result => Assert.True(
            result.StatusCode == 200 || result.HttpStatus is 429 or 502,
            $"an invocation got status {result.StatusCode} / HTTP {result.HttpStatus} {result.ErrorCode}"));
    }

    /// <summary>The test's key namespace, and the lease of the operator running for this namespace (the concurrency controller's).</summary>
    private static string[] GatewayArguments(string ns) =>
        [$"--Lamina:Gateway:Auth:AccessKeyNamespace={ns}", $"--Lamina:Gateway:Controller:LeaseNamespace={ns}"];

    private async Task AccessKeySecretAsync(string name, string keyId, string secret, string namespaces) =>
        await cluster.Kubectl.RunAsync($$"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: {{name}}
              namespace: {{_namespace.Name}}
              labels: { lamina.dev/access-key: "true" }
            stringData:
              accessKeyId: {{keyId}}
              secretAccessKey: {{secret}}
              namespaces: {{namespaces}}
              defaultNamespace: {{namespaces}}
            """, "apply", "-f", "-");

    private async Task WaitForReadyPodsAsync(string function, int count)
    {
        var ready = 0;
        await Eventually.HoldsAsync(() => ready >= count, TimeSpan.FromSeconds(180), $"{count} ready pods of {function}", async () =>
        {
            var statuses = await cluster.Kubectl.RunAsync(null, "get", "pod", "-l", $"lamina.dev/function={function}", "-n", _namespace.Name,
                "-o", "jsonpath={range .items[*]}{.status.conditions[?(@.type==\"Ready\")].status}{\" \"}{end}");
            ready = statuses.Split(' ', StringSplitOptions.RemoveEmptyEntries).Count(s => s == "True");
        });
    }
}
