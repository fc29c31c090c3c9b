using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace Lamina.Bench;

/// <summary>
/// One plain reverse-proxy hop, the yardstick for what the gateway adds: YARP with one route (every
/// path) and one cluster (one destination), nothing else, in a process of its own (<c>proxy PORT TARGET</c>).
/// </summary>
internal static class ProxyServer
{
    public static async Task RunAsync(int port, Uri target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "target", Match = new RouteMatch { Path = "{**rest}" } }],
            [
                new ClusterConfig
                {
                    ClusterId = "target",
                    Destinations = new Dictionary<string, DestinationConfig> { ["target"] = new() { Address = target.ToString() } },
                },
            ]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.RunAsync();
    }
}
