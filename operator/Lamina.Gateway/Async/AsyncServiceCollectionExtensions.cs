using Lamina.Gateway.Invoke;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Async;

/// <summary>Registers the async queue: what a gateway stores Event invocations in, and what the workers read.</summary>
internal static class AsyncServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IAsyncQueue"/> (<see cref="DisabledAsyncQueue"/> unless <see cref="AsyncOptions.Redis"/>
    /// is set), <see cref="AsyncQueue"/>, the event signer and the Redis connection (a hosted service that
    /// does nothing while async is off). Options come from <paramref name="configuration"/>'s
    /// <see cref="AsyncOptions.Section"/> when given, then <paramref name="configure"/>; they are validated
    /// on start. Call it once. This is all a gateway needs: the workers that run the events are another role of the
    /// program (<c>AddAsyncWorkers</c>, docs/async.md "Workers").
    /// </summary>
    public static IServiceCollection AddAsyncQueue(this IServiceCollection services, IConfiguration? configuration = null, Action<AsyncOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AsyncOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(AsyncOptions.Section));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AsyncOptions>, AsyncOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InvokeMetrics>();
        services.TryAddSingleton<AsyncMetrics>();
        services.TryAddSingleton(static provider => new EventSigner(provider.GetRequiredService<IOptions<AsyncOptions>>().Value.EventSigningKey));
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<AsyncQueue>();
        services.TryAddSingleton<IAsyncQueue>(static provider => provider.GetRequiredService<IOptions<AsyncOptions>>().Value.Enabled
            ? provider.GetRequiredService<AsyncQueue>()
            : DisabledAsyncQueue.Instance);

        // Registered before the workers' services (AddAsyncWorkers), which use it from their first step.
        services.AddHostedService(static provider => provider.GetRequiredService<RedisConnection>());
        return services;
    }
}
