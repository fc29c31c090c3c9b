using Lamina.Gateway.Code;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Code;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class CodeEndpointOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new CodeEndpointOptionsValidator().Validate(null, new CodeEndpointOptions()).Succeeded);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8085", 8085)]
    [InlineData("http://127.0.0.1:9000", 9000)]
    [InlineData("http://[::]:8085", 8085)]
    [InlineData("http://*:8085", 8085)]
    [InlineData("http://0.0.0.0", null)]
    [InlineData("http://[::]", null)]
    [InlineData("https://0.0.0.0:8085", null)]
    [InlineData("0.0.0.0:8085", null)]
    [InlineData("", null)]
    public void PortOf_Urls(string url, int? port)
    {
        Assert.Equal(port, CodeEndpointOptionsValidator.PortOf(url));
    }

    [Fact]
    public void Validate_BadValues_EachNamed()
    {
        var result = new CodeEndpointOptionsValidator().Validate(null, new CodeEndpointOptions
        {
            Url = "http://0.0.0.0",
            ReviewCacheTtl = TimeSpan.FromMinutes(6),
            ReviewCacheSize = 0,
            KubernetesTimeout = TimeSpan.Zero,
        });
        Assert.True(result.Failed);
        foreach (var name in new[] { "Url", "ReviewCacheTtl", "ReviewCacheSize", "KubernetesTimeout" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith($"Lamina:Gateway:Code:{name} ", StringComparison.Ordinal));
        }
    }
}
