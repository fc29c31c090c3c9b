using System.Net;
using Lamina.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Lamina.Metrics.Tests;

/// <summary>The endpoint on a real Kestrel listening on a free loopback port.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class PrometheusMetricsEndpointRouteBuilderExtensionsTests
{
    [Fact]
    public async Task MapPrometheusMetrics_Get_ExpositionWithPrometheusContentType()
    {
        using var meter = TestExporters.NewMeter();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPrometheusMetrics(o => o.MeterNames.Add(meter.Name));
        await using var app = builder.Build();
        app.MapPrometheusMetrics();
        await app.StartAsync();
        meter.CreateCounter<long>("lamina_invocations_total", description: "Invocations.").Add(3, new KeyValuePair<string, object?>("function", "hello"));
        using var client = new HttpClient { BaseAddress = new Uri(ListeningAddress(app)) };

        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("""
            # HELP lamina_invocations_total Invocations.
            # TYPE lamina_invocations_total counter
            lamina_invocations_total{function="hello"} 3

            """, await response.Content.ReadAsStringAsync());
        await app.StopAsync();
    }

    [Fact]
    public async Task AddPrometheusMetrics_NoMeterChosen_HostFailsToStart()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPrometheusMetrics(_ => { });
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("MeterNames", error.Message, StringComparison.Ordinal);
    }

    private static string ListeningAddress(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
}
