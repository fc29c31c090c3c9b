using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Routing;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RestBackoffTests
{
    private static readonly RestBackoff Backoff = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1));

    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 100)]
    [InlineData(3, 200)]
    [InlineData(5, 800)]
    [InlineData(6, 1000)]
    [InlineData(60, 1000)]
    public void For_BusyAnswersInARow_DoubledFromTheFirstAfterTheFirstUpToTheMax(int refusals, int expectedMilliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), Backoff.For(refusals));
    }

    [Fact]
    public void From_RoutingDefaults_RetryDelayAndMaxRetryDelay()
    {
        var options = new RoutingOptions();

        Assert.Equal(new RestBackoff(options.RetryDelay, options.MaxRetryDelay), RestBackoff.From(options));
    }
}
