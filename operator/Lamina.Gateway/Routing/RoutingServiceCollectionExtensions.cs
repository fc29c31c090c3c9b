using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Routing;

/// <summary>Registers routing: the shim client and the router.</summary>
internal static class RoutingServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IInvocationRouter"/> and <see cref="ILeaseHolder"/> (both the one
    /// <see cref="InvocationRouter"/>) and <see cref="ShimClient"/>. Options come from
    /// <paramref name="configuration"/>'s <see cref="RoutingOptions.Section"/> when given, then
    /// <paramref name="configure"/>; they are validated on start. The router's environments come from
    /// the concurrency controller: it needs an <see cref="IConcurrencyOutbox"/> and the controller's
    /// options (<c>AddGatewayController</c>), and an <c>IFunctionCatalog</c>.
    /// </summary>
    public static IServiceCollection AddGatewayRouting(this IServiceCollection services, IConfiguration? configuration = null, Action<RoutingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RoutingOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(RoutingOptions.Section));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ConcurrencyClient.GatewayToken>();
        services.TryAddSingleton<ShimClient>();
        services.TryAddSingleton<InvocationRouter>();
        services.TryAddSingleton<IInvocationRouter>(static provider => provider.GetRequiredService<InvocationRouter>());
        services.TryAddSingleton<ILeaseHolder>(static provider => provider.GetRequiredService<InvocationRouter>());
        return services;
    }
}
