using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lamina.Testing;
using Lamina.Tools.Crds;

namespace Lamina.Integration.Tests.Operator;

/// <summary>Installs the generated CRDs (the same content as crds/, which a unit test keeps in step) and waits until they are served.</summary>
internal static class CrdInstaller
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static async Task InstallAsync(HttpClient client)
    {
        var crd = CrdGenerator.Function();
        var name = (string)((Dictionary<string, object?>)crd["metadata"]!)["name"]!;
        using (var response = await client.PostAsync(
                   "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                   new StringContent(JsonSerializer.Serialize(crd), System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict,
                $"the API server refused the CRD: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var established = false;
        await Eventually.HoldsAsync(() => established, Deadline, $"CRD {name} is Established", async () =>
        {
            using var current = await client.GetFromJsonAsync<JsonDocument>($"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}");
            established = current!.RootElement.TryGetProperty("status", out var status)
                && status.TryGetProperty("conditions", out var conditions)
                && conditions.ValueKind == JsonValueKind.Array
                && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Established" && c.GetProperty("status").GetString() == "True");
        });
    }
}
