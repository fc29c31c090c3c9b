using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lamina.Testing;

namespace Lamina.Integration.Tests.Operator;

/// <summary>The generated Function CRD in a real 1.20 API server: defaults applied, bad specs rejected with clear messages.</summary>
[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class FunctionCrdTests(ApiServerFixture apiServer)
{
    private const string Collection = "/apis/lamina.dev/v1alpha1/namespaces/default/functions";
    private const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    public static TheoryData<string, string, string> Rejected => new()
    {
        { "neither image nor code", """{ "handler": "index.handler" }""", "spec.image: Required value" }, // 1.20 lists each branch's missing field
        { "both image and code", $$"""{ "image": "x", "runtime": "nodejs22.x", "code": { "zip": { "sha256": "{{Digest}}", "size": 1 } } }""", "\"spec\" must validate one and only one schema (oneOf). Found 2 valid alternatives" },
        { "a digest in upper case", """{ "runtime": "nodejs22.x", "code": { "zip": { "sha256": "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", "size": 1 } } }""", "spec.code.zip.sha256 in body should match '^[0-9a-f]{64}$'" },
        { "a short digest", """{ "runtime": "nodejs22.x", "code": { "zip": { "sha256": "9f86d081", "size": 1 } } }""", "spec.code.zip.sha256 in body should be at least 64 chars long" },
        { "a zip without its size", $$"""{ "runtime": "nodejs22.x", "code": { "zip": { "sha256": "{{Digest}}" } } }""", "spec.code.zip.size: Required value" },
        { "both zip and configMap", $$"""{ "runtime": "nodejs22.x", "code": { "zip": { "sha256": "{{Digest}}", "size": 1 }, "configMap": { "name": "c", "key": "k" } } }""", "\"spec.code\" must validate one and only one schema (oneOf). Found 2 valid alternatives" },
        { "six layers", $$"""{ "runtime": "nodejs22.x", "code": { "zip": { "sha256": "{{Digest}}", "size": 1 } }, "layers": [ {{string.Join(", ", Enumerable.Repeat($$"""{ "sha256": "{{Digest}}", "size": 1 }""", 6))}} ] }""", "spec.layers in body should have at most 5 items" },
        { "a layer ARN that is no ARN", $$"""{ "runtime": "nodejs22.x", "code": { "zip": { "sha256": "{{Digest}}", "size": 1 } }, "layers": [ { "sha256": "{{Digest}}", "size": 1, "arn": "deps:3" } ] }""", "spec.layers.arn in body should match" },
        { "a runtime name with capitals", $$"""{ "runtime": "NodeJS", "code": { "zip": { "sha256": "{{Digest}}", "size": 1 } } }""", "spec.runtime in body should match" },
        { "ephemeral storage below Lambda's minimum", """{ "image": "x", "ephemeralStorage": { "size": 256 } }""", "spec.ephemeralStorage.size in body should be greater than or equal to 512" },
        { "empty image", """{ "image": "" }""", "spec.image: Invalid value: \"\": spec.image in body should be at least 1 chars long" },
        { "memory below Lambda's minimum", """{ "image": "x", "memoryMB": 64 }""", "spec.memoryMB: Invalid value: 64: spec.memoryMB in body should be greater than or equal to 128" },
        { "memory above Lambda's maximum", """{ "image": "x", "memoryMB": 10241 }""", "spec.memoryMB in body should be less than or equal to 10240" },
        { "timeout over 15 minutes", """{ "image": "x", "timeoutSeconds": 901 }""", "spec.timeoutSeconds in body should be less than or equal to 900" },
        { "memory as text", """{ "image": "x", "memoryMB": "big" }""", "spec.memoryMB: Invalid value: \"string\": spec.memoryMB in body must be of type integer" },
        { "negative reserved concurrency", """{ "image": "x", "concurrency": { "reserved": -1 } }""", "spec.concurrency.reserved in body should be greater than or equal to 0" },
        { "three retries", """{ "image": "x", "async": { "maximumRetryAttempts": 3 } }""", "spec.async.maximumRetryAttempts in body should be less than or equal to 2" },
        { "event age under a minute", """{ "image": "x", "async": { "maximumEventAgeSeconds": 59 } }""", "spec.async.maximumEventAgeSeconds in body should be greater than or equal to 60" },
        { "destination not a function name", """{ "image": "x", "async": { "onFailure": { "function": "Not_A_Name" } } }""", "spec.async.onFailure.function in body should match" },
        { "environment variable without a name", """{ "image": "x", "env": [ { "value": "v" } ] }""", "spec.env.name: Required value" }, // 1.20 leaves out the index
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public async Task Create_InvalidSpec_RejectedBySchemaWithMessage(string scenario, string spec, string expected)
    {
        using var client = await ClientWithCrdAsync();

        using var response = await client.PostAsync(Collection, Json(FunctionJson($"bad-{Guid.NewGuid():N}"[..20], spec)));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{scenario}: {response.StatusCode} {body}");
        var message = JsonDocument.Parse(body).RootElement.GetProperty("message").GetString()!;
        Assert.True(message.Contains(expected, StringComparison.Ordinal), $"{scenario}: expected \"{expected}\" in: {message}");
    }

    [Fact]
    public async Task Create_MinimalSpec_LambdaDefaultsFilledIn()
    {
        using var client = await ClientWithCrdAsync();

        using var response = await client.PostAsync(Collection, Json(FunctionJson("defaults", """{ "image": "x", "handler": "index.handler" }""")));
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var spec = created["spec"]!;
        Assert.Null(spec["command"]); // the builder's default (docs/operator.md), not the schema's
        Assert.Equal(128, (int)spec["memoryMB"]!);
        Assert.Equal(3, (int)spec["timeoutSeconds"]!);
        Assert.Equal(0, (int)spec["concurrency"]!["provisioned"]!);
        Assert.Null(spec["concurrency"]!["reserved"]);
        Assert.Equal(300, (int)spec["scaling"]!["idleSeconds"]!);
        Assert.Equal(2, (int)spec["async"]!["maximumRetryAttempts"]!);
        Assert.Equal(21600, (int)spec["async"]!["maximumEventAgeSeconds"]!);
    }

    [Fact]
    public async Task Create_ZipFunction_AcceptedWithEphemeralStorageDefaultAndNoCommandDefault()
    {
        using var client = await ClientWithCrdAsync();

        using var response = await client.PostAsync(Collection, Json(FunctionJson("zip-defaults",
            $$"""{ "runtime": "python3.11", "handler": "app.handler", "code": { "configMap": { "name": "app-code", "key": "function.zip" } }, "layers": [ { "sha256": "{{Digest}}", "size": 10, "arn": "arn:aws:lambda:us-east-1:123456789012:layer:deps:3" } ] }""")));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var spec = JsonNode.Parse(body)!["spec"]!;
        Assert.Equal(512, (int)spec["ephemeralStorage"]!["size"]!);
        // A zip function's command is its runtime's: no schema default to mistake for the user's.
        Assert.Null(spec["command"]);
    }

    [Fact]
    public async Task Get_ShortNameAndCategory_Served()
    {
        using var client = await ClientWithCrdAsync();

        var resources = await client.GetFromJsonAsync<JsonNode>("/apis/lamina.dev/v1alpha1");

        var functions = resources!["resources"]!.AsArray().Single(r => (string?)r!["name"] == "functions")!;
        Assert.Equal("""["fn"]""", functions["shortNames"]!.ToJsonString());
        Assert.Equal("""["lamina"]""", functions["categories"]!.ToJsonString());
    }

    private async Task<HttpClient> ClientWithCrdAsync()
    {
        var client = apiServer.CreateHttpClient();
        await CustomResources.InstallFunctionCrdAsync(client);
        return client;
    }

    private static string FunctionJson(string name, string spec) =>
        $$"""{ "apiVersion": "lamina.dev/v1alpha1", "kind": "Function", "metadata": { "name": "{{name}}" }, "spec": {{spec}} }""";

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
