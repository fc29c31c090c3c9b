using Lamina.Gateway.Async;
using Lamina.Gateway.Auth;
using Lamina.Gateway.Controller;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Hosting;

/// <summary>Where authentication (Auth/), routing (Routing/) and the concurrency controller's client (Controller/) join the host.</summary>
internal static class GatewayComposition
{
    public static void AddAuthAndRouting(IServiceCollection services, IConfiguration configuration, bool authNone, string? kubeconfigNamespace)
    {
        services.AddGatewayAuth(configuration, authNone);
        services.AddGatewayRouting(configuration);
        services.AddGatewayController(configuration, kubeconfigNamespace);
    }

    /// <summary>
    /// Ready once the access keys have been listed and the concurrency controller has spoken, and
    /// for as long as the leases it granted are valid (warm invocations flow through a failover);
    /// with async invocation on, only while Redis is reachable (an Event invocation would get 500).
    /// </summary>
    public static bool Synced(IServiceProvider services) =>
        services.GetRequiredService<GatewayAuthService>().Ready && services.GetRequiredService<ControllerConnection>().Ready
        && services.GetRequiredService<GatewayToken>().Current is not null
        && services.GetRequiredService<IAsyncQueue>().Ready;
}
