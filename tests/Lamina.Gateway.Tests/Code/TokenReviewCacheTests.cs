using System.Text;
using Lamina.Gateway.Code;
using Lamina.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Gateway.Tests.Code;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class TokenReviewCacheTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 8, 2, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Find_WithinTheTtl_TheReview()
    {
        var cache = new TokenReviewCache(_time, Ttl, 10);
        var reviewed = CodePods.Token();
        cache.Add("token-1", reviewed);
        _time.Advance(Ttl - TimeSpan.FromSeconds(1));
        Assert.Same(reviewed, cache.Find("token-1"));
        Assert.Null(cache.Find("token-2"));
    }

    [Fact]
    public void Find_AfterTheTtl_NothingAndTheEntryDropped()
    {
        var cache = new TokenReviewCache(_time, Ttl, 10);
        cache.Add("token-1", CodePods.Token());
        _time.Advance(Ttl);
        Assert.Null(cache.Find("token-1"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Find_TokenExpiresBeforeTheTtl_NothingFromItsExpiry()
    {
        var cache = new TokenReviewCache(_time, Ttl, 10);
        var token = Jwt(_time.GetUtcNow().AddSeconds(10));
        cache.Add(token, CodePods.Token());
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.NotNull(cache.Find(token));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(cache.Find(token));
    }

    [Fact]
    public void Add_TokenAlreadyExpired_NotKept()
    {
        var cache = new TokenReviewCache(_time, Ttl, 10);
        cache.Add(Jwt(_time.GetUtcNow().AddSeconds(-1)), CodePods.Token());
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Add_Full_ExpiredEntriesMakeRoomElseTheNewOneIsNotKept()
    {
        var cache = new TokenReviewCache(_time, Ttl, 2);
        cache.Add("a", CodePods.Token());
        _time.Advance(TimeSpan.FromSeconds(20));
        cache.Add("b", CodePods.Token());
        cache.Add("c", CodePods.Token());
        Assert.Equal(2, cache.Count);
        Assert.Null(cache.Find("c"));

        // "a" expires: room for one more.
        _time.Advance(TimeSpan.FromSeconds(10));
        cache.Add("d", CodePods.Token());
        Assert.Equal(2, cache.Count);
        Assert.NotNull(cache.Find("d"));
        Assert.NotNull(cache.Find("b"));
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("a.bnVsbA.c")]
    [InlineData("a.eyJleHAiOiJzb29uIn0.c")]
    public void ExpiryOf_Unreadable_Null(string token)
    {
        Assert.Null(TokenReviewCache.ExpiryOf(token));
    }

    [Fact]
    public void ExpiryOf_Jwt_ItsExp()
    {
        var exp = new DateTimeOffset(2026, 12, 8, 3, 0, 0, TimeSpan.Zero);
        Assert.Equal(exp, TokenReviewCache.ExpiryOf(Jwt(exp)));
    }

    private static string Jwt(DateTimeOffset exp) =>
        "eyJhbGciOiJSUzI1NiJ9." + Base64Url($"{{\"aud\":[\"lamina.dev/code\"],\"exp\":{exp.ToUnixTimeSeconds()}}}") + ".c2lnbmF0dXJl";

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
