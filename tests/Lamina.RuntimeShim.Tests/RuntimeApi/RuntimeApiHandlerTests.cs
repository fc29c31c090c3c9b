using System.Text;
using System.Text.Json;
using Lamina.RuntimeShim.Execution;
using Lamina.RuntimeShim.RuntimeApi;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;

namespace Lamina.RuntimeShim.Tests.RuntimeApi;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RuntimeApiHandlerTests
{
    [Fact]
    public void ErrorDocument_JsonObjectWithErrorType_BodyKeptTypeFromBody()
    {
        var body = Bytes("""{"errorMessage":"bad","errorType":"ValueError","stackTrace":["a.py:1"]}""");

        var (document, errorType) = RuntimeApiHandler.ErrorDocument(Request(), body);

        Assert.Same(body, document);
        Assert.Equal("ValueError", errorType.Value);
    }

    [Fact]
    public void ErrorDocument_HeaderAndBodyType_HeaderWinsBodyKept()
    {
        var body = Bytes("""{"errorMessage":"bad","errorType":"ValueError"}""");

        var (document, errorType) = RuntimeApiHandler.ErrorDocument(Request("Runtime.UserCodeError"), body);

        Assert.Same(body, document);
        Assert.Equal("Runtime.UserCodeError", errorType.Value);
    }

    [Fact]
    public void ErrorDocument_EmptyHeader_TypeFromBody()
    {
        var (_, errorType) = RuntimeApiHandler.ErrorDocument(Request(""), Bytes("""{"errorType":"ValueError"}"""));

        Assert.Equal("ValueError", errorType.Value);
    }

    [Theory]
    [InlineData("""{"errorMessage":"bad"}""")]
    [InlineData("""{"errorMessage":"bad","errorType":42}""")]
    [InlineData("""{"errorMessage":"bad","errorType":null}""")]
    public void ErrorDocument_ObjectWithoutAStringType_RuntimeUnknownBodyKept(string json)
    {
        var body = Bytes(json);

        var (document, errorType) = RuntimeApiHandler.ErrorDocument(Request(), body);

        Assert.Same(body, document);
        Assert.Equal("Runtime.Unknown", errorType.Value);
    }

    [Theory]
    [InlineData("segmentation fault in handler")]
    [InlineData("[1,2,3]")]
    [InlineData("\"just a string\"")]
    [InlineData("{\"truncated\":")]
    public void ErrorDocument_NotAJsonObject_WrappedAsTheMessage(string text)
    {
        var (document, errorType) = RuntimeApiHandler.ErrorDocument(Request(), Bytes(text));

        Assert.Equal("Runtime.Unknown", errorType.Value);
        Assert.Equal((text, "Runtime.Unknown"), Read(document));
    }

    [Fact]
    public void ErrorDocument_NotJsonWithAHeaderType_WrappedWithThatType()
    {
        var (document, errorType) = RuntimeApiHandler.ErrorDocument(Request("Runtime.Crash"), Bytes("boom"));

        Assert.Equal("Runtime.Crash", errorType.Value);
        Assert.Equal(("boom", "Runtime.Crash"), Read(document));
    }

    [Fact]
    public void ErrorDocument_EmptyBody_WrappedWithAMessageSayingSo()
    {
        var (document, errorType) = RuntimeApiHandler.ErrorDocument(Request(), []);

        Assert.Equal("Runtime.Unknown", errorType.Value);
        Assert.Equal(("The runtime reported an error without details.", "Runtime.Unknown"), Read(document));
    }

    [Theory]
    [InlineData("Evil\r\nREPORT RequestId: forged")]
    [InlineData("Nul\0Byte")]
    [InlineData("Ошибка")]
    public void ErrorDocument_HeaderTypeWithControlOrNonAscii_TypeMadeSafeAndBodyKept(string header)
    {
        var body = Bytes("""{"errorMessage":"bad","errorType":"ValueError"}""");

        var (document, errorType) = RuntimeApiHandler.ErrorDocument(Request(header), body);

        Assert.Same(body, document);
        Assert.Equal(ErrorType.From(header).Value, errorType.Value);
        Assert.True(errorType.Value.AsSpan().IndexOfAnyExceptInRange('!', '~') < 0, errorType.Value);
    }

    [Fact]
    public void ErrorDocument_BodyTypeWithNewlines_TypeMadeSafeAndDocumentKept()
    {
        var body = Bytes("""{"errorMessage":"bad","errorType":"A\nSTART RequestId: forged"}""");

        var (document, errorType) = RuntimeApiHandler.ErrorDocument(Request(), body);

        Assert.Same(body, document);
        Assert.Equal("A_START_RequestId:_forged", errorType.Value);
    }

    [Fact]
    public void ErrorDocument_NotJsonWithAnUnsafeHeaderType_WrappedWithTheSafeType()
    {
        var (document, errorType) = RuntimeApiHandler.ErrorDocument(Request("Crash\r\nX: y"), Bytes("boom"));

        Assert.Equal("Crash__X:_y", errorType.Value);
        Assert.Equal(("boom", "Crash__X:_y"), Read(document));
    }

    private static HttpRequest Request(string? errorTypeHeader = null)
    {
        var context = new DefaultHttpContext();
        if (errorTypeHeader is not null)
        {
            context.Request.Headers["Lambda-Runtime-Function-Error-Type"] = errorTypeHeader;
        }

        return context.Request;
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static (string Message, string Type) Read(byte[] document)
    {
        using var json = JsonDocument.Parse(document);
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        return (json.RootElement.GetProperty("errorMessage").GetString()!, json.RootElement.GetProperty("errorType").GetString()!);
    }
}
