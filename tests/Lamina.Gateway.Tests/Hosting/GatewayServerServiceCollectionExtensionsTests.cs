using Lamina.Gateway.Hosting;
using Lamina.Gateway.Invoke;
using Lamina.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.Hosting;

/// <summary>Kestrel's limits, the body budget and the host's shutdown timeout come from the gateway's options (issue 19).</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class GatewayServerServiceCollectionExtensionsTests
{
    [Fact]
    public void AddGatewayServer_Defaults_KestrelBoundedUnlikeItsOwnDefaults()
    {
        using var provider = Provider([]);

        var limits = provider.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(2048, limits.MaxConcurrentConnections);
        Assert.Equal(0, limits.MaxConcurrentUpgradedConnections);
        Assert.Equal(32 * 1024, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(64, limits.MaxRequestHeaderCount);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.RequestHeadersTimeout);
        Assert.Equal(64 * 1024, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), limits.MinRequestBodyDataRate.GracePeriod);
        Assert.Equal(TimeSpan.FromSeconds(65), limits.KeepAliveTimeout);
        Assert.Equal(InvokeHandler.MaximumPayload, limits.MaxRequestBodySize);
        Assert.Equal(192L * 1024 * 1024, provider.GetRequiredService<BodyBudget>().Capacity);
        Assert.Equal(TimeSpan.FromSeconds(25), provider.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Fact]
    public void AddGatewayServer_Configured_KestrelBudgetAndShutdownFollow()
    {
        using var provider = Provider(new()
        {
            ["Lamina:Gateway:Server:MaxConcurrentConnections"] = "300",
            ["Lamina:Gateway:Server:MaxRequestHeadersTotalSize"] = "16384",
            ["Lamina:Gateway:Server:MaxRequestHeaderCount"] = "40",
            ["Lamina:Gateway:Server:RequestHeadersTimeout"] = "00:00:03",
            ["Lamina:Gateway:Server:MinRequestBodyDataRate"] = "10000",
            ["Lamina:Gateway:Server:MinRequestBodyGracePeriod"] = "00:00:02",
            ["Lamina:Gateway:Server:KeepAliveTimeout"] = "00:00:20",
            ["Lamina:Gateway:Server:BodyBufferBudgetBytes"] = "67108864",
            ["Lamina:Gateway:Shutdown:Timeout"] = "00:00:50",
        });

        var limits = provider.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(300, limits.MaxConcurrentConnections);
        Assert.Equal(16384, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(40, limits.MaxRequestHeaderCount);
        Assert.Equal(TimeSpan.FromSeconds(3), limits.RequestHeadersTimeout);
        Assert.Equal(10000, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(2), limits.MinRequestBodyDataRate.GracePeriod);
        Assert.Equal(TimeSpan.FromSeconds(20), limits.KeepAliveTimeout);
        Assert.Equal(64L * 1024 * 1024, provider.GetRequiredService<BodyBudget>().Capacity);
        Assert.Equal(TimeSpan.FromSeconds(50), provider.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Theory]
    [InlineData("Lamina:Gateway:Server:MaxConcurrentConnections", "0", "MaxConcurrentConnections")]
    [InlineData("Lamina:Gateway:Server:MaxRequestHeadersTotalSize", "1024", "MaxRequestHeadersTotalSize")]
    [InlineData("Lamina:Gateway:Server:MaxRequestHeaderCount", "4", "MaxRequestHeaderCount")]
    [InlineData("Lamina:Gateway:Server:RequestHeadersTimeout", "00:00:00", "RequestHeadersTimeout")]
    [InlineData("Lamina:Gateway:Server:MinRequestBodyDataRate", "0", "MinRequestBodyDataRate")]
    [InlineData("Lamina:Gateway:Server:MinRequestBodyGracePeriod", "00:00:00.5", "MinRequestBodyGracePeriod")]
    [InlineData("Lamina:Gateway:Server:KeepAliveTimeout", "-00:00:01", "KeepAliveTimeout")]
    [InlineData("Lamina:Gateway:Server:BodyBufferBudgetBytes", "1000000", "BodyBufferBudgetBytes")]
    [InlineData("Lamina:Gateway:Shutdown:DrainDelay", "-00:00:01", "DrainDelay")]
    [InlineData("Lamina:Gateway:Shutdown:Timeout", "00:00:06", "Timeout")]
    public void AddGatewayServer_OutOfRange_RefusedOnStartNamingTheSetting(string key, string value, string setting)
    {
        using var provider = Provider(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() =>
        {
            _ = provider.GetRequiredService<IOptions<GatewayServerOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<GatewayShutdownOptions>>().Value;
        });

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddGatewayServer(configuration).BuildServiceProvider();
    }
}
