using Lamina.Gateway.Async;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Tests.Fakes;
using Lamina.Gateway.Worker;
using Lamina.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.Async;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class AsyncServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddAsyncQueue_NoRedisConfigured_DisabledQueue()
    {
        await using var provider = Services(Configuration()).BuildServiceProvider();

        var queue = provider.GetRequiredService<IAsyncQueue>();

        Assert.IsType<DisabledAsyncQueue>(queue);
        Assert.False(queue.Enabled);
    }

    [Fact]
    public async Task AddAsyncQueue_RedisConfigured_RedisQueueNotConnectedBeforeItConnects()
    {
        await using var provider = Services(Configuration(("Redis", "127.0.0.1:1"), Key)).BuildServiceProvider();

        var queue = provider.GetRequiredService<IAsyncQueue>();

        Assert.Same(provider.GetRequiredService<AsyncQueue>(), queue);
        Assert.True(queue.Enabled);
        Assert.False(provider.GetRequiredService<AsyncQueue>().Connected);
    }

    [Fact]
    public async Task AddAsyncQueue_ConfigurationSection_BoundThenConfigured()
    {
        var configuration = Configuration(
            ("Redis", "redis.lamina-system:6379"),
            Key,
            ("MaximumPayload", "1048576"),
            ("RetryDelays:0", "00:00:05"),
            ("RetryDelays:1", "00:00:10"),
            ("ClaimThreshold", "00:02:00"));
        await using var provider = Services(configuration, o => o.MaxConcurrency = 8).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AsyncOptions>>().Value;

        Assert.Equal("redis.lamina-system:6379", options.Redis);
        Assert.Equal(1_048_576, options.MaximumPayload);
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)], options.EffectiveRetryDelays);
        Assert.Equal(TimeSpan.FromMinutes(2), options.ClaimThreshold);
        Assert.Equal(8, options.MaxConcurrency);
    }

    [Fact]
    public async Task AddAsyncQueue_InvalidOptions_RejectedWhenRead()
    {
        await using var provider = Services(Configuration(("RefreshInterval", "00:01:00"))).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AsyncOptions>>().Value);

        Assert.Contains("ClaimThreshold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAsyncQueue_RedisConfigured_OnlyTheConnectionRunsNoWorkers()
    {
        await using var provider = Services(Configuration(("Redis", "127.0.0.1:1"), Key)).BuildServiceProvider();

        var hosted = provider.GetServices<IHostedService>().ToList();

        // A gateway stores events; running them is the worker role's (AddAsyncWorkers).
        Assert.IsType<RedisConnection>(Assert.Single(hosted));
        Assert.Null(provider.GetService<AsyncWorker>());
        Assert.Null(provider.GetService<DelayedEventMover>());
    }

    [Fact]
    public async Task AddAsyncWorkers_AsyncOff_EveryHostedServiceStartsAndStopsDoingNothing()
    {
        await using var provider = Services(Configuration(), workers: true).BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();

        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        Assert.Equal(4, hosted.Count);
        Assert.Equal(0, provider.GetRequiredService<AsyncWorker>().Running);
    }

    private static readonly (string, string) Key = ("EventSigningKey", "unit-tests-event-signing-key-0123456789");

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"{AsyncOptions.Section}:{s.Key}", s.Value))).Build();

    private static IServiceCollection Services(IConfiguration configuration, Action<AsyncOptions>? configure = null, bool workers = false)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IFunctionCatalog>(new FakeFunctionCatalog())
            .AddSingleton<IInvocationRouter>(new RecordingInvocationRouter());
        return workers ? services.AddAsyncWorkers(configuration, configure) : services.AddAsyncQueue(configuration, configure);
    }
}
