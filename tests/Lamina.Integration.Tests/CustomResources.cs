using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lamina.Testing;
using Lamina.Tools.Crds;

namespace Lamina.Integration.Tests;

/// <summary>Creates CustomResourceDefinitions in the fixture's API server and waits until they are served.</summary>
internal static class CustomResources
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>The generated Function CRD (the same content as crds/, which a unit test keeps in step).</summary>
    public static Task InstallFunctionCrdAsync(HttpClient client)
    {
        var crd = CrdGenerator.Function();
        return CreateAsync(client, JsonSerializer.Serialize(crd), (string)((Dictionary<string, object?>)crd["metadata"]!)["name"]!);
    }

    /// <summary>Creates the CRD <paramref name="crdJson"/> named <paramref name="name"/> (or finds it there) and waits for Established.</summary>
    public static async Task CreateAsync(HttpClient client, string crdJson, string name)
    {
        using (var response = await client.PostAsync(
                   "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                   new StringContent(crdJson, System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict,
                $"the API server refused the CRD: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var established = false;
        await Eventually.HoldsAsync(() => established, Deadline, $"CRD {name} is Established", async () =>
        {
            using var current = await client.GetFromJsonAsync<JsonDocument>($"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}");
            // status.conditions is null until the API server's controllers have looked at the CRD.
            established = current!.RootElement.TryGetProperty("status", out var status)
                && status.TryGetProperty("conditions", out var conditions)
                && conditions.ValueKind == JsonValueKind.Array
                && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Established" && c.GetProperty("status").GetString() == "True");
        });
    }
}
