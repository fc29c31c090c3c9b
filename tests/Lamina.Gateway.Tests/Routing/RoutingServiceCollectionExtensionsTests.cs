using Lamina.Gateway.Routing;
using Lamina.Kubernetes.Client;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.Routing;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RoutingServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddGatewayRouting_Resolved_OneRouterAndThePodWatcherAsAHostedService()
    {
        await using var provider = Services(configure: null).BuildServiceProvider();

        var router = provider.GetRequiredService<IInvocationRouter>();

        Assert.Same(provider.GetRequiredService<InvocationRouter>(), router);
        Assert.Contains(provider.GetServices<IHostedService>(), s => ReferenceEquals(s, provider.GetRequiredService<FunctionPodWatcher>()));
    }

    [Fact]
    public async Task AddGatewayRouting_ConfigurationSection_BoundThenConfigured()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Lamina:Gateway:Routing:QueueSize"] = "7",
            ["Lamina:Gateway:Routing:QueueTimeout"] = "00:00:03",
            ["Lamina:Gateway:Routing:Namespaces:0"] = "team-a",
            ["Lamina:Gateway:Routing:Namespaces:1"] = "team-b",
        }).Build();
        await using var provider = Services(configuration, o => o.ConnectTimeout = TimeSpan.FromSeconds(1)).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RoutingOptions>>().Value;

        Assert.Equal(7, options.QueueSize);
        Assert.Equal(TimeSpan.FromSeconds(3), options.QueueTimeout);
        Assert.Equal(["team-a", "team-b"], options.Namespaces);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ConnectTimeout);
    }

    [Fact]
    public async Task AddGatewayRouting_InvalidOptions_RejectedWhenRead()
    {
        await using var provider = Services(configuration: null, o => o.InvocationTimeout = TimeSpan.FromSeconds(30)).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RoutingOptions>>().Value);

        Assert.Contains("InvocationTimeout", error.Message, StringComparison.Ordinal);
    }

    private static ServiceCollection Services(IConfiguration? configuration = null, Action<RoutingOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IKubernetesClient>(new FakeKubernetesClient());
        services.AddGatewayRouting(configuration, configure);
        return services;
    }
}
