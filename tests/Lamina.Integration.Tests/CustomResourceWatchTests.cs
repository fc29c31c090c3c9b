using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lamina.Testing;

namespace Lamina.Integration.Tests;

/// <summary>
/// The fixture is a real API server: a CRD becomes established, and an object created from it
/// arrives on a watch started before it. (Raw HTTP for now; the client library replaces it.)
/// </summary>
[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class CustomResourceWatchTests(ApiServerFixture apiServer)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Watch_ObjectCreatedAfterList_ArrivesAsAddedEvent()
    {
        using var client = apiServer.CreateHttpClient();
        await CreateEstablishedCrdAsync(client);
        const string collection = "/apis/fixture.lamina.dev/v1/namespaces/default/widgets";

        using var list = await client.GetFromJsonAsync<JsonDocument>(collection);
        var resourceVersion = list!.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        using var watchCancel = new CancellationTokenSource(Deadline);
        using var watch = await client.GetAsync(
            $"{collection}?watch=true&resourceVersion={resourceVersion}", HttpCompletionOption.ResponseHeadersRead, watchCancel.Token);
        watch.EnsureSuccessStatusCode();

        var widget = new JsonObject
        {
            ["apiVersion"] = "fixture.lamina.dev/v1",
            ["kind"] = "Widget",
            ["metadata"] = new JsonObject { ["name"] = "first" },
            ["spec"] = new JsonObject { ["size"] = 3 },
        };
        using var created = await client.PostAsJsonAsync(collection, widget);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync(watchCancel.Token));
        var line = await reader.ReadLineAsync(watchCancel.Token);
        Assert.NotNull(line);
        using var watchEvent = JsonDocument.Parse(line);
        Assert.Equal("ADDED", watchEvent.RootElement.GetProperty("type").GetString());
        var received = watchEvent.RootElement.GetProperty("object");
        Assert.Equal("first", received.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal(3, received.GetProperty("spec").GetProperty("size").GetInt32());
    }

    private static Task CreateEstablishedCrdAsync(HttpClient client) =>
        CustomResources.CreateAsync(client, """
            {
              "apiVersion": "apiextensions.k8s.io/v1",
              "kind": "CustomResourceDefinition",
              "metadata": { "name": "widgets.fixture.lamina.dev" },
              "spec": {
                "group": "fixture.lamina.dev",
                "scope": "Namespaced",
                "names": { "plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList" },
                "versions": [{
                  "name": "v1", "served": true, "storage": true,
                  "schema": { "openAPIV3Schema": { "type": "object", "properties": {
                    "spec": { "type": "object", "properties": { "size": { "type": "integer", "minimum": 1 } } }
                  } } }
                }]
              }
            }
            """, "widgets.fixture.lamina.dev");
}
