using Lamina.Operator.Concurrency;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Concurrency;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ConcurrencyEndpointsTests
{
    [Theory]
    [InlineData("10.244.0.17", "http://10.244.0.17:8082")]
    [InlineData("fd00:10:244::17", "http://[fd00:10:244::17]:8082")]
    [InlineData(null, "http://0.0.0.0:8082")]
    [InlineData("", "http://0.0.0.0:8082")]
    public void Advertised_PodIp_AUrlGatewaysCanDial(string? podIp, string expected)
    {
        var options = new ConcurrencyOptions { GrpcUrl = "http://0.0.0.0:8082" };

        var advertised = ConcurrencyEndpoints.Advertised(options, podIp);

        Assert.Equal(expected, advertised);
        Assert.True(Uri.TryCreate(advertised, UriKind.Absolute, out var uri) && uri.Port == 8082, advertised);
    }

    [Fact]
    public void Advertised_Configured_WinsOverThePodIp()
    {
        var options = new ConcurrencyOptions { GrpcUrl = "http://0.0.0.0:8082", AdvertisedAddress = "http://controller.example:9000" };

        Assert.Equal("http://controller.example:9000", ConcurrencyEndpoints.Advertised(options, "10.244.0.17"));
    }
}
