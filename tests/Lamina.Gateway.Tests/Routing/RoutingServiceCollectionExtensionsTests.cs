using Lamina.Gateway.ConcurrencyClient;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Tests.Fakes;
using Lamina.Kubernetes.Client;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.Routing;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RoutingServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddGatewayRouting_Resolved_OneRouterBehindBothItsInterfacesFedByTheControllersOutbox()
    {
        await using var provider = Services().BuildServiceProvider();

        var router = provider.GetRequiredService<InvocationRouter>();

        Assert.Same(router, provider.GetRequiredService<IInvocationRouter>());
        Assert.Same(router, provider.GetRequiredService<ILeaseHolder>());
        Assert.Same(provider.GetRequiredService<ConcurrencyOutbox>(), provider.GetRequiredService<IConcurrencyOutbox>());
    }

    [Fact]
    public async Task AddGatewayRouting_ConfigurationSection_BoundThenConfigured()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Lamina:Gateway:Routing:QueueSize"] = "7",
            ["Lamina:Gateway:Routing:QueueTimeout"] = "00:00:03",
        }).Build();
        await using var provider = Services(configuration, o => o.ConnectTimeout = TimeSpan.FromSeconds(1)).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RoutingOptions>>().Value;

        Assert.Equal(7, options.QueueSize);
        Assert.Equal(TimeSpan.FromSeconds(3), options.QueueTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ConnectTimeout);
    }

    [Fact]
    public void RoutingOptions_Defaults_ThirtySecondQueueTimeout()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), new RoutingOptions().QueueTimeout);
    }

    [Fact]
    public async Task AddGatewayRouting_InvalidOptions_RejectedWhenRead()
    {
        await using var provider = Services(configuration: null, o => o.InvocationTimeout = TimeSpan.FromSeconds(30)).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RoutingOptions>>().Value);

        Assert.Contains("InvocationTimeout", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Routing as the gateway composes it: with the controller's side, a catalog and a Kubernetes client.</summary>
    internal static ServiceCollection Services(IConfiguration? configuration = null, Action<RoutingOptions>? configure = null, Action<ConcurrencyClientOptions>? controller = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IKubernetesClient>(new FakeKubernetesClient());
        services.AddSingleton<IFunctionCatalog>(new FakeFunctionCatalog());
        services.AddGatewayRouting(configuration, configure);
        services.AddGatewayController(configuration, kubeconfigNamespace: "from-kubeconfig", configure: controller);
        return services;
    }
}
