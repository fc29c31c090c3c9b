using Lamina.Gateway.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>Registers the gateway's side of the concurrency controller: the outbox, leader discovery and the connection.</summary>
internal static class ConcurrencyClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ConcurrencyOutbox"/> (also as routing's <see cref="IConcurrencyOutbox"/>),
    /// <see cref="LeaderDiscovery"/>, and <see cref="ConcurrencyConnection"/> as a hosted service with its gauge (its
    /// <see cref="ConcurrencyConnection.Ready"/> is for /readyz). Options come from
    /// <paramref name="configuration"/>'s <see cref="ConcurrencyClientOptions.Section"/> when given, then
    /// <paramref name="configure"/>; an unset <see cref="ConcurrencyClientOptions.LeaseNamespace"/> becomes
    /// POD_NAMESPACE, else <paramref name="kubeconfigNamespace"/>, else <c>default</c>; they are
    /// validated on start. Needs an <c>IKubernetesClient</c> and the router's <see cref="ILeaseHolder"/>
    /// (<c>AddGatewayRouting</c>).
    /// </summary>
    public static IServiceCollection AddGatewayController(
        this IServiceCollection services,
        IConfiguration? configuration = null,
        string? kubeconfigNamespace = null,
        Action<ConcurrencyClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ConcurrencyClientOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(ConcurrencyClientOptions.Section));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.PostConfigure(o => o.LeaseNamespace = ConcurrencyClientOptions.LeaseNamespaceOr(
            o.LeaseNamespace, Environment.GetEnvironmentVariable("POD_NAMESPACE"), kubeconfigNamespace));
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConcurrencyClientOptions>, ConcurrencyClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ConcurrencyOutbox>();
        services.TryAddSingleton<IConcurrencyOutbox>(static provider => provider.GetRequiredService<ConcurrencyOutbox>());
        services.TryAddSingleton<LeaderDiscovery>();
        services.TryAddSingleton<GatewayToken>();
        services.AddHostedService<GatewayTokenRefresher>();
        services.TryAddSingleton<ConcurrencyConnection>();
        services.TryAddSingleton<ConcurrencyConnectionMetrics>();
        services.AddHostedService(static provider =>
        {
            // The gauge lives as long as the connection does: created with it.
            _ = provider.GetRequiredService<ConcurrencyConnectionMetrics>();
            return provider.GetRequiredService<ConcurrencyConnection>();
        });
        return services;
    }
}
