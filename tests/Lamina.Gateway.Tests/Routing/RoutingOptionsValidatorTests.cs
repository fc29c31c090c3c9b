using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Routing;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RoutingOptionsValidatorTests
{
    private readonly RoutingOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(_validator.Validate(null, new RoutingOptions()).Succeeded);
    }

    [Theory]
    [InlineData("QueueSize")]
    [InlineData("QueueTimeout")]
    [InlineData("ConnectTimeout")]
    [InlineData("InvocationTimeout")]
    [InlineData("RetryDelay")]
    [InlineData("MaxRetryDelay")]
    public void Validate_OneBadSetting_FailsNamingIt(string setting)
    {
        var options = new RoutingOptions();
        switch (setting)
        {
            case "QueueSize": options.QueueSize = 0; break;
            case "QueueTimeout": options.QueueTimeout = TimeSpan.Zero; break;
            case "ConnectTimeout": options.ConnectTimeout = TimeSpan.Zero; break;
            case "InvocationTimeout": options.InvocationTimeout = TimeSpan.FromMinutes(5); break;
            case "RetryDelay": options.RetryDelay = TimeSpan.Zero; break;
            case "MaxRetryDelay": options.MaxRetryDelay = TimeSpan.FromMilliseconds(10); break;
            default: throw new ArgumentOutOfRangeException(nameof(setting));
        }

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }
}
