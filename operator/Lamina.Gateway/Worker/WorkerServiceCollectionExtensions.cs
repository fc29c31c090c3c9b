using Lamina.Gateway.Async;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Worker;

/// <summary>Registers the async workers: what reads the stored Event invocations and runs them.</summary>
internal static class WorkerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the async queue (<see cref="AsyncServiceCollectionExtensions.AddAsyncQueue"/>; do not add it
    /// again) and, as hosted services that do nothing while async is off, the workers, the delayed-retry
    /// mover and the queue gauges' sampler. The workers need an <c>IInvocationRouter</c> and an
    /// <c>IFunctionCatalog</c>.
    /// </summary>
    public static IServiceCollection AddAsyncWorkers(this IServiceCollection services, IConfiguration? configuration = null, Action<AsyncOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAsyncQueue(configuration, configure);
        services.TryAddSingleton(static provider => new AsyncRetryPolicy(provider.GetRequiredService<IOptions<AsyncOptions>>().Value));
        services.TryAddSingleton<AsyncWorker>();
        services.TryAddSingleton<DelayedEventMover>();
        services.TryAddSingleton<AsyncQueueSampler>();
        services.AddHostedService(static provider => provider.GetRequiredService<AsyncWorker>());
        services.AddHostedService(static provider => provider.GetRequiredService<DelayedEventMover>());
        services.AddHostedService(static provider => provider.GetRequiredService<AsyncQueueSampler>());
        return services;
    }
}
