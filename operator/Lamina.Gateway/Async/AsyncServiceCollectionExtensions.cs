using Lamina.Gateway.Invoke;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Async;

/// <summary>Registers async invocation: the queue the Invoke handler stores Event invocations in, and what runs them.</summary>
internal static class AsyncServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IAsyncQueue"/> (<see cref="DisabledAsyncQueue"/> unless <see cref="AsyncOptions.Redis"/>
    /// is set), the Redis connection, the workers, the delayed-retry mover and the queue gauges' sampler
    /// (hosted services that do nothing while async is off). Options come from <paramref name="configuration"/>'s
    /// <see cref="AsyncOptions.Section"/> when given, then <paramref name="configure"/>; they are validated on
    /// start. The workers need an <c>IInvocationRouter</c> and an <c>IFunctionCatalog</c>.
    /// </summary>
    public static IServiceCollection AddGatewayAsync(this IServiceCollection services, IConfiguration? configuration = null, Action<AsyncOptions>? configure = null)
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
        services.TryAddSingleton(static provider => new AsyncRetryPolicy(provider.GetRequiredService<IOptions<AsyncOptions>>().Value));
        services.TryAddSingleton(static provider => new EventSigner(provider.GetRequiredService<IOptions<AsyncOptions>>().Value.EventSigningKey));
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<AsyncQueue>();
        services.TryAddSingleton<IAsyncQueue>(static provider => provider.GetRequiredService<IOptions<AsyncOptions>>().Value.Enabled
            ? provider.GetRequiredService<AsyncQueue>()
            : DisabledAsyncQueue.Instance);
        services.TryAddSingleton<AsyncWorker>();
        services.TryAddSingleton<DelayedEventMover>();
        services.TryAddSingleton<AsyncQueueSampler>();

        // The connection first: the others use it from their first step.
        services.AddHostedService(static provider => provider.GetRequiredService<RedisConnection>());
        services.AddHostedService(static provider => provider.GetRequiredService<AsyncWorker>());
        services.AddHostedService(static provider => provider.GetRequiredService<DelayedEventMover>());
        services.AddHostedService(static provider => provider.GetRequiredService<AsyncQueueSampler>());
        return services;
    }
}
