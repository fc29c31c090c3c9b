using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Lamina.Testing;

/// <summary>
/// A program's metrics as its host composes them (<c>AddLaminaMetrics</c>, <c>MapLaminaMetrics</c>)
/// on Kestrel at a free loopback port, configured by the test alone (no environment variables).
/// Tests record on the real instruments through <see cref="Meters"/> and scrape as Prometheus does.
/// </summary>
public sealed class MetricsHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client;

    private MetricsHost(WebApplication app)
    {
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    /// <summary>The host's meter factory: meters made here are the ones its /metrics shows.</summary>
    public IMeterFactory Meters => _app.Services.GetRequiredService<IMeterFactory>();

    public IServiceProvider Services => _app.Services;

    /// <summary>Builds and starts the host; throws what the host's start throws (options validation).</summary>
    public static async Task<MetricsHost> StartAsync(string serviceName, IReadOnlyDictionary<string, string?>? configuration = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddLaminaMetrics(builder.Configuration, serviceName);
        var app = builder.Build();
        app.MapLaminaMetrics();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new MetricsHost(app);
    }

    /// <summary>GET /metrics with Prometheus 2's Accept header (OpenMetrics preferred) unless told otherwise.</summary>
    public async Task<HttpResponseMessage> GetAsync(HttpMethod? method = null, string accept = PrometheusAccept)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await _client.SendAsync(request);
    }

    /// <summary>The page's text; fails unless the scrape answered 200.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var response = await GetAsync();
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>What Prometheus 2.x sends when it scrapes (its default scrape protocols).</summary>
    public const string PrometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
