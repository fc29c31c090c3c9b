using Lamina.Gateway.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Controller;

/// <summary>Registers the gateway's side of the concurrency controller: the outbox, leader discovery and the connection.</summary>
internal static class ControllerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ControllerOutbox"/> (also as routing's <see cref="IControllerOutbox"/>),
    /// <see cref="LeaderDiscovery"/>, and <see cref="ControllerConnection"/> as a hosted service (its
    /// <see cref="ControllerConnection.Ready"/> is for /readyz). Options come from
    /// <paramref name="configuration"/>'s <see cref="ControllerOptions.Section"/> when given, then
    /// <paramref name="configure"/>; an unset <see cref="ControllerOptions.LeaseNamespace"/> becomes
    /// POD_NAMESPACE, else <paramref name="kubeconfigNamespace"/>, else <c>default</c>; they are
    /// validated on start. Needs an <c>IKubernetesClient</c> and the router's <see cref="ILeaseHolder"/>
    /// (<c>AddGatewayRouting</c>).
    /// </summary>
    public static IServiceCollection AddGatewayController(
        this IServiceCollection services,
        IConfiguration? configuration = null,
        string? kubeconfigNamespace = null,
        Action<ControllerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ControllerOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(ControllerOptions.Section));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.PostConfigure(o => o.LeaseNamespace = ControllerOptions.LeaseNamespaceOr(
            o.LeaseNamespace, Environment.GetEnvironmentVariable("POD_NAMESPACE"), kubeconfigNamespace));
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ControllerOptions>, ControllerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ControllerOutbox>();
        services.TryAddSingleton<IControllerOutbox>(static provider => provider.GetRequiredService<ControllerOutbox>());
        services.TryAddSingleton<LeaderDiscovery>();
        services.TryAddSingleton<GatewayToken>();
        services.AddHostedService<GatewayTokenRefresher>();
        services.TryAddSingleton<ControllerConnection>();
        services.AddHostedService(static provider => provider.GetRequiredService<ControllerConnection>());
        return services;
    }
}
