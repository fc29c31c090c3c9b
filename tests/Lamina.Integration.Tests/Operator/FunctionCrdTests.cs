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

    public static TheoryData<string, string, string> Rejected => new()
    {
        { "no image", """{ "handler": "index.handler" }""", "spec.image: Required value" },
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
        Assert.Equal("""["/lambda-entrypoint.sh"]""", spec["command"]!.ToJsonString());
        Assert.Equal(128, (int)spec["memoryMB"]!);
        Assert.Equal(3, (int)spec["timeoutSeconds"]!);
        Assert.Equal(0, (int)spec["concurrency"]!["provisioned"]!);
        Assert.Null(spec["concurrency"]!["reserved"]);
        Assert.Equal(300, (int)spec["scaling"]!["idleSeconds"]!);
        Assert.Equal(2, (int)spec["async"]!["maximumRetryAttempts"]!);
        Assert.Equal(21600, (int)spec["async"]!["maximumEventAgeSeconds"]!);
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
