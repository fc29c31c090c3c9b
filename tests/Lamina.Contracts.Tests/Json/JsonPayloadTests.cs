using System.Text;
using Lamina.Contracts.Json;
using Lamina.Testing;

namespace Lamina.Contracts.Tests.Json;

/// <summary>The one "is this JSON" rule the gateway and the shim both apply.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class JsonPayloadTests
{
    [Theory]
    [InlineData("{}")]
    [InlineData("""{"a":[1,2,{"b":null}]}""")]
    [InlineData(" \t\r\n{\"a\":1} \t\r\n")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("\"caf\u00e9\"")]
    public void IsValid_OneJsonValue_True(string text) =>
        Assert.True(JsonPayload.IsValid(Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("""{"a":1}}""")]
    [InlineData("{} {}")]
    [InlineData("{}x")]
    [InlineData("""{"a":1,}""")]
    [InlineData("/* comment */ {}")]
    [InlineData("{'a':1}")]
    [InlineData("not json")]
    public void IsValid_NotExactlyOneJsonValue_False(string text) =>
        Assert.False(JsonPayload.IsValid(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void IsValid_InvalidUtf8InsideAString_False() =>
        // Utf8JsonReader alone accepts these bytes inside a string; Lambda does not.
        Assert.False(JsonPayload.IsValid([(byte)'"', 0xC3, 0x28, (byte)'"']));

    [Fact]
    public void IsValid_NestedTo256_TrueAnd257_False()
    {
        Assert.True(JsonPayload.IsValid(Encoding.UTF8.GetBytes(new string('[', 256) + new string(']', 256))));
        Assert.False(JsonPayload.IsValid(Encoding.UTF8.GetBytes(new string('[', 257) + new string(']', 257))));
    }
}
