using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lamina.Testing;
using Lamina.Tools.Crds;

namespace Lamina.Bench;

/// <summary>The integration tests' API server (<see cref="ApiServer"/>), owned by a benchmark for its duration.</summary>
internal sealed class ApiServerFixtureScope : IAsyncDisposable
{
    public ApiServer Fixture { get; } = new();

    public Task StartAsync() => Fixture.InitializeAsync();

    /// <summary>Installs the Function CRD (as the generator makes it) and returns once the API server serves it.</summary>
    public static async Task InstallFunctionCrdAsync(HttpClient http)
    {
        using var response = await http.PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            new StringContent(JsonSerializer.Serialize(CrdGenerator.Function()), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var resources = await http.GetAsync("/apis/lamina.dev/v1alpha1");
            if (resources.IsSuccessStatusCode && (await resources.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resources").GetArrayLength() > 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("bench: the Function CRD was not served within 60 s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    public async ValueTask DisposeAsync() => await Fixture.DisposeAsync();
}
