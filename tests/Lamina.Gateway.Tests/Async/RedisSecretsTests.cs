using Lamina.Gateway.Async;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Async;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RedisSecretsTests
{
    [Theory]
    [InlineData("redis:6379,password=hunter2", "redis:6379,password=***")]
    [InlineData("password=hunter2,redis:6379", "password=***,redis:6379")]
    [InlineData("redis:6379, Password = hunter2 ,ssl=true", "redis:6379, Password =***,ssl=true")]
    [InlineData("redis:6379,user=lamina,PASSWORD=hunter2", "redis:6379,user=lamina,PASSWORD=***")]
    [InlineData("redis:6379", "redis:6379")]
    [InlineData("redis:6379,password=", "redis:6379,password=")]
    public void Redact_ConnectionString_PasswordMasked(string connectionString, string expected)
    {
        Assert.Equal(expected, RedisSecrets.Redact(connectionString));
    }

    [Fact]
    public void Scrub_MessageQuotingThePassword_Masked()
    {
        var scrubbed = RedisSecrets.Scrub("AUTH hunter2 failed; hunter2 again", "redis:6379,password=hunter2");

        Assert.Equal("AUTH *** failed; *** again", scrubbed);
        Assert.Equal("no password here", RedisSecrets.Scrub("no password here", "redis:6379"));
    }
}
