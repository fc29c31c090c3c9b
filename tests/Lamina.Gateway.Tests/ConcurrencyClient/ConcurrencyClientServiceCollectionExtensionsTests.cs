using Lamina.Gateway.ConcurrencyClient;
using Lamina.Gateway.Tests.Routing;
using Lamina.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.ConcurrencyClient;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ConcurrencyClientServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddGatewayController_Resolved_TheConnectionIsAHostedService()
    {
        await using var provider = RoutingServiceCollectionExtensionsTests.Services().BuildServiceProvider();

        var connection = provider.GetRequiredService<ConcurrencyConnection>();

        Assert.Contains(provider.GetServices<IHostedService>(), s => ReferenceEquals(s, connection));
        Assert.False(connection.Ready); // not before the controller has spoken
    }

    [Fact]
    public async Task AddGatewayController_ConfigurationSection_BoundWithItsDefaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Lamina:Gateway:Controller:Address"] = "http://127.0.0.1:8082",
            ["Lamina:Gateway:Controller:LeaseNamespace"] = "lamina-system",
            ["Lamina:Gateway:Controller:IdleRelease"] = "00:00:05",
        }).Build();
        await using var provider = RoutingServiceCollectionExtensionsTests.Services(configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ConcurrencyClientOptions>>().Value;

        Assert.Equal("http://127.0.0.1:8082", options.Address);
        Assert.Equal("lamina-system", options.LeaseNamespace);
        Assert.Equal("lamina-operator", options.LeaseName);
        Assert.Equal(TimeSpan.FromSeconds(5), options.IdleRelease);
        Assert.Equal(TimeSpan.FromSeconds(1), options.DemandInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.ReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), options.MaxReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ConnectTimeout);
    }

    [Fact]
    public async Task AddGatewayController_InvalidAddress_RejectedWhenRead()
    {
        await using var provider = RoutingServiceCollectionExtensionsTests.Services(controller: o => o.Address = "127.0.0.1:8082").BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConcurrencyClientOptions>>().Value);

        Assert.Contains("Address", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("configured", "pod", "kubeconfig", "configured")]
    [InlineData(null, "pod", "kubeconfig", "pod")]
    [InlineData("", "", "kubeconfig", "kubeconfig")]
    [InlineData(null, null, null, "default")]
    public void LeaseNamespaceOr_WhatIsSet_ConfiguredThenPodThenKubeconfigThenDefault(string? configured, string? pod, string? kubeconfig, string expected)
    {
        Assert.Equal(expected, ConcurrencyClientOptions.LeaseNamespaceOr(configured, pod, kubeconfig));
    }
}
