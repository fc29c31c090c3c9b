using Lamina.Gateway.Async;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Async;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RedisConnectionTests
{
    [Fact]
    public void Configure_NoTimeoutsInTheString_ConnectAndCommandsBounded()
    {
        var configuration = RedisConnection.Configure("redis.lamina-system:6379", "lamina-gateway");

        // StackExchange.Redis' own 5 s would hold every Event invocation that long when Redis is gone.
        Assert.Equal((int)RedisConnection.ConnectTimeout.TotalMilliseconds, configuration.ConnectTimeout);
        Assert.Equal((int)RedisConnection.CommandTimeout.TotalMilliseconds, configuration.AsyncTimeout);
        Assert.Equal((int)RedisConnection.CommandTimeout.TotalMilliseconds, configuration.SyncTimeout);
        Assert.True(RedisConnection.CommandTimeout < TimeSpan.FromSeconds(5));
        Assert.False(configuration.AbortOnConnectFail);
        Assert.True(configuration.AllowAdmin); // the durability check's CONFIG GET

        Assert.Equal(StackExchange.Redis.BacklogPolicy.FailFast, configuration.BacklogPolicy);
    }

    [Fact]
    public void Configure_ExternalRedisWithTlsAndAPasswordSetting_TlsOnAndTheSettingsPassword()
    {
        // TLS to an external Redis is the connection string's (docs/async.md); the password comes from its own setting.
        var configuration = RedisConnection.Configure("redis.example.com:6380,ssl=true,sslHost=redis.example.com,password=old", "lamina-gateway", "from-the-secret");

        Assert.True(configuration.Ssl);
        Assert.Equal("redis.example.com", configuration.SslHost);
        Assert.Equal("from-the-secret", configuration.Password);
    }

    [Fact]
    public void Configure_TimeoutsInTheString_TheStringWins()
    {
        var configuration = RedisConnection.Configure("redis:6379,connectTimeout=7000,asyncTimeout=9000", "lamina-gateway");

        Assert.Equal(7000, configuration.ConnectTimeout);
        Assert.Equal(9000, configuration.AsyncTimeout);
    }
}
