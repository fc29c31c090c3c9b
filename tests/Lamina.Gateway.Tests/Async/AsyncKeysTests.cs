using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Async;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class AsyncKeysTests
{
    private static readonly FunctionKey Orders = new("team-a", "orders");

    [Fact]
    public void Keys_OneFunction_ShareTheHashTagOfNamespaceAndName()
    {
        Assert.Equal("lamina:async:{team-a/orders}:events", AsyncKeys.Events(Orders).ToString());
        Assert.Equal("lamina:async:{team-a/orders}:delayed", AsyncKeys.Delayed(Orders).ToString());
        Assert.Equal("lamina:async:{team-a/orders}:dead-letter", AsyncKeys.DeadLetter(Orders).ToString());
        Assert.Equal("lamina:async:{team-a/orders}:ages", AsyncKeys.Ages(Orders).ToString());
        Assert.Equal("lamina:async:functions", AsyncKeys.Registry.ToString());
    }

    [Fact]
    public void TryParseMember_Member_TheFunction()
    {
        Assert.True(AsyncKeys.TryParseMember(AsyncKeys.Member(Orders), out var parsed));
        Assert.Equal(Orders, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("orders")]
    [InlineData("/orders")]
    [InlineData("team-a/")]
    [InlineData("a/b/c")]
    public void TryParseMember_NotNamespaceSlashName_False(string? text)
    {
        Assert.False(AsyncKeys.TryParseMember(text, out _));
    }
}
