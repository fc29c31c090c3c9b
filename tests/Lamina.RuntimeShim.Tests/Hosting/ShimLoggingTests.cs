using Lamina.RuntimeShim.Hosting;
using Lamina.Testing;
using Microsoft.Extensions.Logging;

namespace Lamina.RuntimeShim.Tests.Hosting;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ShimLoggingTests
{
    [Fact]
    public void CreateFactory_HostingDiagnostics_DisabledEvenAtCritical()
    {
        // ASP.NET Core starts an Activity and a scope per request whenever this is enabled at Critical.
        using var factory = ShimLogging.CreateFactory(format: null);

        Assert.False(factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical));
        Assert.True(factory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
        Assert.True(factory.CreateLogger("Lamina.RuntimeShim.Execution.ExecutionEnvironment").IsEnabled(LogLevel.Information));
    }
}
