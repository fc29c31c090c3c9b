using Lamina.RuntimeShim.Execution;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Execution;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ErrorTypeTests
{
    [Theory]
    [InlineData("Runtime.ExitError")]
    [InlineData("Sandbox.Timedout")]
    [InlineData("Unhandled")]
    [InlineData("MyError")]
    [InlineData("errors.errorString")]
    [InlineData("Function.ResponseSizeTooLarge")]
    [InlineData("java.lang.IllegalStateException")]
    public void From_LambdaStyleType_Unchanged(string type)
    {
        Assert.Equal(type, ErrorType.From(type).Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void From_NothingNamed_RuntimeUnknown(string? type)
    {
        Assert.Equal("Runtime.Unknown", ErrorType.From(type).Value);
    }

    [Theory]
    [InlineData("Evil\r\nSTART RequestId: forged", "Evil__START_RequestId:_forged")]
    [InlineData("Evil\nREPORT RequestId: x", "Evil_REPORT_RequestId:_x")]
    [InlineData("Nul\0Byte", "Nul_Byte")]
    [InlineData("Tab\tStatus: ok", "Tab_Status:_ok")]
    [InlineData("Ошибка", "______")]
    [InlineData("Bell\u0007\u007f", "Bell__")]
    public void From_ControlOrNonAsciiCharacters_EachBecomesAnUnderscore(string type, string expected)
    {
        Assert.Equal(expected, ErrorType.From(type).Value);
    }

    [Fact]
    public void From_VeryLongType_CutToTheMaximum()
    {
        var value = ErrorType.From(new string('E', 70_000)).Value;

        Assert.Equal(ErrorType.MaximumLength, value.Length);
        Assert.Equal(new string('E', ErrorType.MaximumLength), value);
    }
}
