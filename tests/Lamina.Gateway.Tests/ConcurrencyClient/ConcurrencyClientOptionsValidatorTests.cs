using Lamina.Gateway.ConcurrencyClient;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.ConcurrencyClient;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ConcurrencyClientOptionsValidatorTests
{
    private readonly ConcurrencyClientOptionsValidator _validator = new();

    [Theory]
    [InlineData(null)]
    [InlineData("http://127.0.0.1:8082")]
    [InlineData("http://lamina-operator.lamina-system:8082/")]
    public void Validate_DefaultsWithAnAddressOrNone_Succeeds(string? address)
    {
        Assert.True(_validator.Validate(null, new ConcurrencyClientOptions { Address = address }).Succeeded);
    }

    [Theory]
    [InlineData("Address")]
    [InlineData("LeaseName")]
    [InlineData("IdleRelease")]
    [InlineData("DemandInterval")]
    [InlineData("ConnectTimeout")]
    [InlineData("ReconnectDelay")]
    [InlineData("MaxReconnectDelay")]
    public void Validate_OneBadSetting_FailsNamingIt(string setting)
    {
        var options = new ConcurrencyClientOptions();
        switch (setting)
        {
            case "Address": options.Address = "https://127.0.0.1:8082"; break;
            case "LeaseName": options.LeaseName = " "; break;
            case "IdleRelease": options.IdleRelease = TimeSpan.Zero; break;
            case "DemandInterval": options.DemandInterval = TimeSpan.Zero; break;
            case "ConnectTimeout": options.ConnectTimeout = TimeSpan.Zero; break;
            case "ReconnectDelay": options.ReconnectDelay = TimeSpan.Zero; break;
            case "MaxReconnectDelay": options.MaxReconnectDelay = TimeSpan.FromMilliseconds(10); break;
            default: throw new ArgumentOutOfRangeException(nameof(setting));
        }

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }
}
