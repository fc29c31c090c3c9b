using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Routing;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class FunctionEnvironmentTests
{
    [Theory]
    [InlineData("10.244.1.7:8080", "http://10.244.1.7:8080/lamina/v1/invoke")]
    [InlineData("[fd00:10:244::7]:8080", "http://[fd00:10:244::7]:8080/lamina/v1/invoke")]
    [InlineData("fd00:10:244::7:8080", "http://[fd00:10:244::7]:8080/lamina/v1/invoke")]
    [InlineData("hello-1.team-a:8080", "http://hello-1.team-a:8080/lamina/v1/invoke")]
    public void TryCreate_HostAndPort_TheShimsInvokeUri(string address, string expected)
    {
        Assert.True(FunctionEnvironment.TryCreate("hello-1", address, out var environment));

        Assert.Equal(new Uri(expected), environment.InvokeUri);
        Assert.Equal("hello-1", environment.Pod);
        Assert.Equal(address, environment.Address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.244.1.7:8080/other")]
    [InlineData("10.244.1.7:8080?x=1")]
    [InlineData("user@10.244.1.7:8080")]
    [InlineData("no such host:8080")]
    public void TryCreate_NotAnAddress_False(string address)
    {
        Assert.False(FunctionEnvironment.TryCreate("hello-1", address, out _));
    }
}
