using Lamina.Gateway.Functions;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Functions;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class FunctionReferenceTests
{
    private const string Arn = "arn:aws:lambda:us-east-1:123456789012:function:";

    private const string Pattern =
        @"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?";

    // ---------------------------------------------------------------- accepted forms

    [Theory]
    [InlineData("orders", null, "orders", null)]
    [InlineData("team-a.orders", "team-a", "orders", null)]
    [InlineData("orders:$LATEST", null, "orders", "$LATEST")]
    [InlineData("orders:prod", null, "orders", "prod")]
    [InlineData("orders:1", null, "orders", "1")]
    [InlineData("orders:blue-green_2", null, "orders", "blue-green_2")]
    [InlineData("team-a.orders:$LATEST", "team-a", "orders", "$LATEST")]
    [InlineData("123456789012:function:orders", null, "orders", null)]
    [InlineData("123456789012:function:team-a.orders", "team-a", "orders", null)]
    [InlineData("123456789012:function:team-a.orders:$LATEST", "team-a", "orders", "$LATEST")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:team-a.orders", "team-a", "orders", null)]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:team-a.orders:$LATEST", "team-a", "orders", "$LATEST")]
    [InlineData("arn:aws:lambda:eu-west-2:000000000000:function:orders:7", null, "orders", "7")]
    [InlineData("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:team-a.orders", "team-a", "orders", null)]
    [InlineData("arn:aws-cn:lambda:cn-north-1:123456789012:function:team-a.orders", "team-a", "orders", null)]
    [InlineData("my-function_2", null, "my-function_2", null)]
    [InlineData("team_a-1.My-Function_2", "team_a-1", "My-Function_2", null)]
    [InlineData("0", null, "0", null)]
    public void TryParse_AcceptedForm_NamespaceNameAndQualifier(string text, string? expectedNamespace, string expectedName, string? expectedQualifier)
    {
        Assert.True(FunctionReference.TryParse(text, out var reference, out var error));

        Assert.Null(error);
        Assert.Equal(new FunctionReference(expectedNamespace, expectedName, expectedQualifier), reference);
    }

    [Fact]
    public void TryParse_NameOf64Characters_Accepted()
    {
        var name = new string('a', FunctionReference.MaximumNameLength);

        Assert.True(FunctionReference.TryParse(name, out var reference, out _));

        Assert.Equal(new FunctionReference(null, name, null), reference);
    }

    [Fact]
    public void TryParse_64CharacterNameInAnArnOf140Characters_Accepted()
    {
        var name = new string('n', FunctionReference.MaximumNameLength);
        var qualifier = new string('q', FunctionReference.MaximumArnLength - Arn.Length - name.Length - 1);
        var text = $"{Arn}{name}:{qualifier}";
        Assert.Equal(140, text.Length);

        Assert.True(FunctionReference.TryParse(text, out var reference, out _));

        Assert.Equal(new FunctionReference(null, name, qualifier), reference);
    }

    // ---------------------------------------------------------------- the namespace split

    [Theory]
    [InlineData("a.b.c", "a", "b.c")]
    [InlineData("team-a.orders.v2", "team-a", "orders.v2")]
    [InlineData(".orders", "", "orders")]
    [InlineData("team-a.", "team-a", "")]
    public void TryParse_DotsBeyondTheFirst_FirstDotSplitsAndTheRestIsTheName(string text, string expectedNamespace, string expectedName)
    {
        // Legal Lambda names that no Kubernetes Function can have (a name with a dot, an empty part):
        // accepted here, so the caller gets 404 (or 403) from the lookup, not a 400 for valid syntax.
        Assert.True(FunctionReference.TryParse(text, out var reference, out _));

        Assert.Equal(expectedNamespace, reference.Namespace);
        Assert.Equal(expectedName, reference.Name);
    }

    [Theory]
    [InlineData("orders", "team-a", "team-a.orders")]
    [InlineData("team-b.orders", "team-a", "team-b.orders")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:team-b.orders:$LATEST", "team-a", "team-b.orders")]
    public void QualifiedName_ParsedReference_NamespaceDotName(string text, string defaultNamespace, string expected)
    {
        Assert.True(FunctionReference.TryParse(text, out var reference, out _));

        Assert.Equal(expected, reference.QualifiedName(defaultNamespace));
    }

    // ---------------------------------------------------------------- rejected forms

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("team-a/orders")]
    [InlineData("my function")]
    [InlineData(" orders")]
    [InlineData("orders ")]
    [InlineData("ördérs")]
    [InlineData("函数")]
    [InlineData("orders\u00a0")]
    [InlineData("orders\n")]
    [InlineData("orders%41")]
    [InlineData("orders*")]
    [InlineData("orders:")]
    [InlineData(":orders")]
    [InlineData("a::b")]
    [InlineData("orders:1:2")]
    [InlineData("orders:$FOO")]
    [InlineData("orders:1$")]
    [InlineData("orders:1.0")]
    [InlineData("orders:v/1")]
    [InlineData("12345678901:function:orders")]
    [InlineData("123456789012:function:")]
    [InlineData("123456789012:lambda:orders")]
    [InlineData("123456789012:function:orders:")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:orders:")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:orders:1:2")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:layer:orders")]
    [InlineData("arn:aws:s3:us-east-1:123456789012:function:orders")]
    [InlineData("arn:gcp:lambda:us-east-1:123456789012:function:orders")]
    [InlineData("arn:aws:lambda:us-east-1:12345:function:orders")]
    [InlineData("arn:aws:lambda:us-east-1:1234567890123:function:orders")]
    [InlineData("arn:aws:lambda:us-east-1::function:orders")]
    [InlineData("arn:aws:lambda::123456789012:function:orders")]
    [InlineData("arn:aws:lambda:US-EAST-1:123456789012:function:orders")]
    [InlineData("arn:aws:lambda:useast1:123456789012:function:orders")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:a/b")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:orders:$FOO")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:orders")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:ns:orders:1")]
    public void TryParse_NotAFunctionName_FalseWithTheValidationMessage(string text)
    {
        Assert.False(FunctionReference.TryParse(text, out var reference, out var error));

        Assert.Null(reference);
        Assert.StartsWith($"1 validation error detected: Value '{text}' at 'functionName' failed to satisfy constraint: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_NameOf65Characters_False()
    {
        var name = new string('a', FunctionReference.MaximumNameLength + 1);

        Assert.False(FunctionReference.TryParse(name, out _, out var error));

        Assert.Contains($"Value '{name}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_65CharacterNameInAnArn_False()
    {
        Assert.False(FunctionReference.TryParse(Arn + new string('a', FunctionReference.MaximumNameLength + 1), out _, out _));
    }

    [Fact]
    public void TryParse_ArnOf141Characters_False()
    {
        var name = new string('n', FunctionReference.MaximumNameLength);
        var qualifier = new string('q', FunctionReference.MaximumArnLength - Arn.Length - name.Length);
        var text = $"{Arn}{name}:{qualifier}";
        Assert.Equal(141, text.Length);

        Assert.False(FunctionReference.TryParse(text, out _, out _));
    }

    [Fact]
    public void TryParse_QualifiedNameOver140Characters_False()
    {
        // name:qualifier is held to the same 140 characters as an ARN form.
        var text = $"{new string('n', 64)}:{new string('q', 76)}";
        Assert.Equal(141, text.Length);

        Assert.False(FunctionReference.TryParse(text, out _, out _));
    }

    [Fact]
    public void TryParse_Invalid_LambdasWholeValidationMessage()
    {
        Assert.False(FunctionReference.TryParse("a/b", out _, out var error));

        Assert.Equal(
            "1 validation error detected: Value 'a/b' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + Pattern,
            error);
    }
}
