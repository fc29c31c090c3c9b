using Lamina.Testing;

namespace Lamina.CodeStore.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class AuthChallengeTests
{
    [Fact]
    public void Parse_BearerWithQuotedCommas_KeepsTheWholeScope()
    {
        var challenge = AuthChallenge.Parse("Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:lamina/team-a:pull,push\"");

        Assert.NotNull(challenge);
        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.example.com/token", challenge["realm"]);
        Assert.Equal("registry.example.com", challenge["service"]);
        Assert.Equal("repository:lamina/team-a:pull,push", challenge["scope"]);
    }

    [Fact]
    public void Parse_BasicWithSpacesAndUnquotedValue_Parsed()
    {
        var challenge = AuthChallenge.Parse("Basic realm=\"lamina code store\", charset=UTF-8");

        Assert.NotNull(challenge);
        Assert.True(challenge.IsBasic);
        Assert.Equal("lamina code store", challenge["realm"]);
        Assert.Equal("UTF-8", challenge["charset"]);
    }

    [Fact]
    public void Parse_EscapedQuote_Unescaped()
    {
        Assert.Equal("a\"b", AuthChallenge.Parse("Bearer realm=\"a\\\"b\"")!["realm"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_Empty_Null(string? header) => Assert.Null(AuthChallenge.Parse(header));
}
