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

    [Fact]
    public void TextLine_MessageWithLineBreaks_StaysOneLine()
    {
        var output = new StringWriter();
        using (var provider = new LineLoggerProvider(json: false, output))
        {
            provider.CreateLogger("Lamina.RuntimeShim.Execution.ExecutionEnvironment")
                .Log(LogLevel.Warning, new EventId(2), "Runtime 1 failed to initialise: boom\r\n2026-01-01T00:00:00.000Z info: Lamina.RuntimeShim: forged\0", null, static (state, _) => state);
        }

        var lines = output.ToString().TrimEnd('\n').Split('\n');
        var line = Assert.Single(lines);
        Assert.EndsWith("Runtime 1 failed to initialise: boom\\r\\n2026-01-01T00:00:00.000Z info: Lamina.RuntimeShim: forged\\u0000", line.TrimEnd('\r'), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain message", "plain message")]
    [InlineData("tab\tkept", "tab\tkept")]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("bell\u0007", "bell\\u0007")]
    public void OneLine_ControlCharacters_Escaped(string message, string expected)
    {
        Assert.Equal(expected, LineLoggerProvider.OneLine(message));
    }
}
