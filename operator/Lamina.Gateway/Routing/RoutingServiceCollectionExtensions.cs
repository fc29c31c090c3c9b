using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Routing;

/// <summary>Registers routing: the pod watcher, the environment registry, the shim client and the router.</summary>
internal static class RoutingServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IInvocationRouter"/> (and <see cref="InvocationRouter"/>, for its gauges),
    /// <see cref="EnvironmentRegistry"/>, <see cref="ShimClient"/>, and <see cref="FunctionPodWatcher"/>
    /// as a hosted service (its <see cref="FunctionPodWatcher.Synced"/> is for /readyz). Options come
    /// from <paramref name="configuration"/>'s <see cref="RoutingOptions.Section"/> when given, then
    /// <paramref name="configure"/>; they are validated on start. Needs an <c>IKubernetesClient</c>.
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
        services.TryAddSingleton<EnvironmentRegistry>();
        services.TryAddSingleton<ShimClient>();
        services.TryAddSingleton<InvocationRouter>();
        services.TryAddSingleton<IInvocationRouter>(static provider => provider.GetRequiredService<InvocationRouter>());
        services.TryAddSingleton<FunctionPodWatcher>();
        services.AddHostedService(static provider => provider.GetRequiredService<FunctionPodWatcher>());
        return services;
    }
}
