using Lamina.Gateway.Async;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Async;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class AsyncOptionsValidatorTests
{
    private const string Key = "unit-tests-event-signing-key-0123456789";

    private readonly AsyncOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_SucceedOffAndOn()
    {
        Assert.True(_validator.Validate(null, new AsyncOptions()).Succeeded);
        Assert.True(_validator.Validate(null, new AsyncOptions { Redis = "127.0.0.1:6379", EventSigningKey = Key }).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("too-short-a-key")]
    public void Validate_AsyncOnWithoutALongEnoughSigningKey_FailsClosedWithoutEchoingIt(string key)
    {
        var result = _validator.Validate(null, new AsyncOptions { Redis = "127.0.0.1:6379", EventSigningKey = key });

        Assert.True(result.Failed);
        Assert.Contains("EventSigningKey", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(key.Length == 0 || !result.FailureMessage.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void EffectiveRetryDelays_NoneConfigured_LambdasOneMinuteThenTwo()
    {
        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)], new AsyncOptions().EffectiveRetryDelays);
        Assert.Equal([TimeSpan.FromSeconds(1)], new AsyncOptions { RetryDelays = [TimeSpan.FromSeconds(1)] }.EffectiveRetryDelays);
    }

    [Fact]
    public void Validate_MalformedConnectionStringWithAPassword_NeverEchoesThePassword()
    {
        var result = _validator.Validate(null, new AsyncOptions { Redis = "redis:6379,password=hunter2-secret,unknownoption=1" });

        Assert.True(result.Failed);
        Assert.Contains("Redis", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("password=***", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no concurrency", "MaxConcurrency")]
    [InlineData("no payload", "MaximumPayload")]
    [InlineData("payload over the synchronous limit", "MaximumPayload")]
    [InlineData("no poll interval", "PollInterval")]
    [InlineData("claim threshold within two refreshes", "ClaimThreshold")]
    [InlineData("no refresh interval", "ClaimThreshold")]
    [InlineData("a zero retry delay", "RetryDelays")]
    [InlineData("largest system delay below the first", "SystemRetryDelay")]
    [InlineData("unknown Redis option", "Redis")]
    public void Validate_SettingThatCannotWork_FailsNamingIt(string scenario, string expected)
    {
        var options = new AsyncOptions { EventSigningKey = Key };
        switch (scenario)
        {
            case "no concurrency": options.MaxConcurrency = 0; break;
            case "no payload": options.MaximumPayload = 0; break;
            case "payload over the synchronous limit": options.MaximumPayload = 6_291_457; break;
            case "no poll interval": options.PollInterval = TimeSpan.Zero; break;
            case "claim threshold within two refreshes": options.ClaimThreshold = TimeSpan.FromSeconds(15); break;
            case "no refresh interval": options.RefreshInterval = TimeSpan.Zero; break;
            case "a zero retry delay": options.RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.Zero]; break;
            case "largest system delay below the first": options.MaxSystemRetryDelay = TimeSpan.FromMilliseconds(1); break;
            default: options.Redis = "host:6379,unknownoption=1"; break;
        }

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }
}
