using Lamina.Gateway.Hosting;
using Lamina.Gateway.Invoke;
using Lamina.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lamina.Gateway.Tests.Hosting;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class GatewayLoggingTests
{
    [Fact]
    public void Configure_Defaults_AccessLogAndHostingDiagnosticsOffEverythingElseOn()
    {
        using var services = Logging([]);
        var loggers = services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger(AccessLog.Category).IsEnabled(LogLevel.Information));
        // ASP.NET Core starts an Activity and a scope per request whenever this is enabled at Critical.
        Assert.False(loggers.CreateLogger(GatewayLogging.HostingDiagnostics).IsEnabled(LogLevel.Critical));
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Routing").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger(typeof(InvokeHandler).FullName!).IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Configure_CategoriesNamedInConfiguration_ConfigurationWins()
    {
        using var services = Logging(new()
        {
            [$"Logging:LogLevel:{AccessLog.Category}"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
        });
        var loggers = services.GetRequiredService<ILoggerFactory>();

        Assert.True(loggers.CreateLogger(AccessLog.Category).IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger(GatewayLogging.HostingDiagnostics).IsEnabled(LogLevel.Information));
    }

    /// <summary>Logging as the host builds it: configuration's Logging section, then the gateway's defaults.</summary>
    private static ServiceProvider Logging(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging(logging =>
            {
                logging.AddConfiguration(configuration.GetSection("Logging"));
                GatewayLogging.Configure(logging, configuration, format: null);
            })
            .BuildServiceProvider();
    }
}
