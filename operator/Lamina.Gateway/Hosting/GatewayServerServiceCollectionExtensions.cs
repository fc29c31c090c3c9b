using Lamina.Gateway.Invoke;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Hosting;

/// <summary>Registers what bounds a gateway and stops it: Kestrel's limits, the body buffer budget, the drain on SIGTERM.</summary>
internal static class GatewayServerServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="GatewayServerOptions"/> from <c>Lamina:Gateway:Server</c> and <see cref="GatewayShutdownOptions"/>
    /// from <c>Lamina:Gateway:Shutdown</c>, both validated on start; Kestrel's limits and the host's
    /// shutdown timeout from them. The drain needs routing and the controller client registered.
    /// </summary>
    public static IServiceCollection AddGatewayServer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GatewayServerOptions>().Bind(configuration.GetSection(GatewayServerOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayServerOptions>, GatewayServerOptionsValidator>());
        services.AddOptions<GatewayShutdownOptions>().Bind(configuration.GetSection(GatewayShutdownOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayShutdownOptions>, GatewayShutdownOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, KestrelLimitsSetup>());
        services.AddOptions<HostOptions>().Configure<IOptions<GatewayShutdownOptions>>(static (host, shutdown) => host.ShutdownTimeout = shutdown.Value.Timeout);
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BodyBudget>();
        services.TryAddSingleton<RequestBodyReader>();
        services.TryAddSingleton<ShutdownGate>();
        services.AddHostedService<GatewayDrain>();
        return services;
    }
}
