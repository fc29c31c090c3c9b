using Lamina.Gateway.Auth;
using Lamina.Gateway.ConcurrencyClient;
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
    /// for as long as the leases it granted are valid (warm invocations flow through a failover).
    /// Redis is no part of it: synchronous invocations never touch Redis, so a Redis restart must not
    /// take every gateway out of its Service; Event invocations answer 500 meanwhile, and
    /// <c>lamina_async_store_up</c> (alert LaminaAsyncStoreDown) says Redis is down.
    /// </summary>
    public static bool Synced(IServiceProvider services) =>
        services.GetRequiredService<GatewayAuthService>().Ready && services.GetRequiredService<ConcurrencyConnection>().Ready
        && services.GetRequiredService<GatewayToken>().Current is not null;
}
