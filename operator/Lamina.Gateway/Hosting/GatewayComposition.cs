using Lamina.Gateway.Auth;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Hosting;

/// <summary>Where authentication (Auth/) and routing (Routing/) join the host.</summary>
internal static class GatewayComposition
{
    public static void AddAuthAndRouting(IServiceCollection services, IConfiguration configuration, bool authNone)
    {
        services.AddGatewayAuth(configuration, authNone);
        services.AddGatewayRouting(configuration);
    }

    /// <summary>Ready once the access keys and the function pods have been listed.</summary>
    public static bool Synced(IServiceProvider services) =>
        services.GetRequiredService<GatewayAuthService>().Ready && services.GetRequiredService<FunctionPodWatcher>().Synced;
}
