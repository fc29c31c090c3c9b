using System.Text;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Routing;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;

namespace Lamina.Gateway.Tests.Invoke;

/// <summary>The Invoke API's parameters (InvokeParameters): header values, names and qualifiers, the payload.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvokeHandlerParameterTests : InvokeHandlerTestsBase
{
    public static TheoryData<string, string, string> BadHeaders => new()
    {
        { "X-Amz-Invocation-Type", "Sync", "invocationType" },
        { "X-Amz-Invocation-Type", "requestresponse", "invocationType" },
        { "X-Amz-Log-Type", "Full", "logType" },
        { "X-Amz-Log-Type", "tail", "logType" },
        { "X-Amz-Client-Context", "not base64!", "Client context" },
        { "X-Amz-Client-Context", Convert.ToBase64String("not json"u8), "Client context" },
        { "X-Amz-Client-Context", Convert.ToBase64String("{\"a\":"u8), "Client context" },
        { "X-Amz-Client-Context", Convert.ToBase64String(Encoding.UTF8.GetBytes($"\"{new string('a', 2700)}\"")), "Client context" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public async Task HandleAsync_BadHeaderValue_400InvalidParameterValue(string header, string value, string expectedInMessage)
    {
        var context = Post("orders", "{}", (header, value));

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 400, "InvalidParameterValueException");
        Assert.Contains(expectedInMessage, error["message"], StringComparison.Ordinal);
        Assert.Empty(_router.Invocations);
    }

    [Theory]
    [InlineData("DryRun")]
    [InlineData("Event")]
    public async Task HandleAsync_TailWithoutRequestResponse_400InvalidParameterValue(string invocationType)
    {
        var context = Post("orders", "{}", ("X-Amz-Invocation-Type", invocationType), ("X-Amz-Log-Type", "Tail"));

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 400, "InvalidParameterValueException");
        Assert.Contains("Tail", error["message"], StringComparison.Ordinal);
        Assert.Empty(_router.Invocations);
    }

    [Fact]
    public async Task HandleAsync_ClientContextOfTheLargestSize_Accepted()
    {
        // 2685 bytes of JSON are 3580 base64 characters, the longest within Lambda's 3583.
        var clientContext = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\"{new string('a', 2683)}\""));
        Assert.Equal(3580, clientContext.Length);
        var context = Post("orders", "{}", ("X-Amz-Client-Context", clientContext));

        await _handler.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(clientContext, _router.Single.Request.ClientContext);
    }

    // ---------------------------------------------------------------- names and qualifiers

    [Fact]
    public async Task HandleAsync_UnknownFunction_404WithItsArn()
    {
        var context = Post("team-b.nothing", "{}");

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 404, "ResourceNotFoundException");
        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:team-b.nothing", error["message"]);
        Assert.True(Guid.TryParse(Header(context, "X-Amz-Request-Id"), out _));
        Assert.Empty(_router.Invocations);
    }

    [Fact]
    public async Task HandleAsync_UnknownBareName_404NamingTheDefaultNamespace()
    {
        var context = Post("nothing", "{}");

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 404, "ResourceNotFoundException");
        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:team-a.nothing", error["message"]);
    }

    [Fact]
    public async Task HandleAsync_NameWithTwoDots_404NotA400()
    {
        // team-a.orders.v2 is a legal Lambda name, and no Kubernetes Function can be called orders.v2.
        var context = Post("team-a.orders.v2", "{}");

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 404, "ResourceNotFoundException");
        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:team-a.orders.v2", error["message"]);
    }

    [Theory]
    [InlineData("orders:1", "", "team-a.orders:1")]
    [InlineData("orders:prod", "", "team-a.orders:prod")]
    [InlineData("orders", "?Qualifier=1", "team-a.orders:1")]
    [InlineData("team-b.billing", "?Qualifier=live", "team-b.billing:live")]
    [InlineData("orders:7", "?Qualifier=7", "team-a.orders:7")]
    public async Task HandleAsync_QualifierOtherThanLatest_404WithTheQualifiedArn(string functionName, string query, string expectedResource)
    {
        var context = Post(functionName, "{}");
        context.Request.QueryString = new QueryString(query);

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 404, "ResourceNotFoundException");
        Assert.Equal($"Function not found: {FunctionArn}{expectedResource}", error["message"]);
        Assert.Empty(_router.Invocations);
    }

    [Theory]
    [InlineData("orders", "?Qualifier=%24LATEST")]
    [InlineData("orders:$LATEST", "?Qualifier=%24LATEST")]
    [InlineData("orders", "?Qualifier=")]
    public async Task HandleAsync_LatestQualifierInTheQuery_Invoked(string functionName, string query)
    {
        var context = Post(functionName, "{}");
        context.Request.QueryString = new QueryString(query);

        await _handler.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(new FunctionKey("team-a", "orders"), _router.Single.Function);
    }

    [Theory]
    [InlineData("orders:1", "?Qualifier=2")]
    [InlineData("orders:$LATEST", "?Qualifier=1")]
    [InlineData("orders:1", "?Qualifier=%24LATEST")]
    public async Task HandleAsync_ConflictingQualifiers_400InvalidParameterValue(string functionName, string query)
    {
        var context = Post(functionName, "{}");
        context.Request.QueryString = new QueryString(query);

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 400, "InvalidParameterValueException");
        Assert.Contains("does not match", error["message"], StringComparison.Ordinal);
        Assert.Empty(_router.Invocations);
    }

    [Theory]
    [InlineData("?Qualifier=a%2Fb")]
    [InlineData("?Qualifier=1.0")]
    [InlineData("?Qualifier=1&Qualifier=2")]
    public async Task HandleAsync_MalformedQueryQualifier_400InvalidParameterValue(string query)
    {
        var context = Post("orders", "{}");
        context.Request.QueryString = new QueryString(query);

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 400, "InvalidParameterValueException");
        Assert.Contains("at 'qualifier'", error["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("orders:")]
    [InlineData("a::b")]
    [InlineData("ördérs")]
    [InlineData("arn:aws:lambda:us-east-1:12345:function:orders")]
    public async Task HandleAsync_InvalidFunctionName_400ValidationException(string functionName)
    {
        var context = Post(functionName, "{}");

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 400, "ValidationException");
        Assert.StartsWith($"1 validation error detected: Value '{functionName}' at 'functionName'", error["message"], StringComparison.Ordinal);
        Assert.Empty(_catalog.Lookups);
    }

    [Fact]
    public async Task HandleAsync_PercentEscapeLeftAfterTheServerDecoded_400NotDecodedAgain()
    {
        // The client sent the (invalid) name "a%41", encoded as a%2541; the server decodes that once to
        // "a%41". Decoding a second time would invoke team-a.aA, a function the caller did not name.
        var context = Post("a%41", "{}");

        await _handler.HandleAsync(context);

        AssertServiceError(context, 400, "ValidationException");
        Assert.Empty(_router.Invocations);
    }

    // ---------------------------------------------------------------- payload

    [Theory]
    [InlineData("{")]
    [InlineData("""{"a":1}}""")]
    [InlineData("not json")]
    [InlineData("{} {}")]
    [InlineData("{'a':1}")]
    public async Task HandleAsync_InvalidJson_400InvalidRequestContent(string body)
    {
        var context = Post("orders", body);

        await _handler.HandleAsync(context);

        AssertServiceError(context, 400, "InvalidRequestContentException");
        Assert.Empty(_router.Invocations);
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0xFF, 0x22 })]
    [InlineData(new byte[] { 0x22, 0xC0, 0xAF, 0x22 })]
    [InlineData(new byte[] { 0x22, 0xED, 0xA0, 0x80, 0x22 })]
    public async Task HandleAsync_InvalidUtf8_400InvalidRequestContent(byte[] body)
    {
        var context = Post("orders", body);

        await _handler.HandleAsync(context);

        AssertServiceError(context, 400, "InvalidRequestContentException");
        Assert.Empty(_router.Invocations);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HandleAsync_PayloadOfExactly6291456Bytes_Accepted(bool contentLength)
    {
        var body = JsonString(InvokeHandler.MaximumPayload);
        var context = Post("orders", body);
        if (!contentLength)
        {
            context.Request.ContentLength = null;
        }

        await _handler.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(6_291_456, _router.Single.Request.Payload.Length);
        Assert.True(_router.Single.Request.Payload.Span.SequenceEqual(body));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HandleAsync_PayloadOf6291457Bytes_413RequestTooLarge(bool contentLength)
    {
        var context = Post("orders", JsonString(InvokeHandler.MaximumPayload + 1));
        if (!contentLength)
        {
            context.Request.ContentLength = null;
        }

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 413, "RequestTooLargeException");
        Assert.Equal(TooLarge, error["message"]);
        Assert.Empty(_authenticator.Verified);
        Assert.Empty(_router.Invocations);
    }

    [Fact]
    public async Task HandleAsync_BodyShorterThanItsContentLength_400()
    {
        var context = Post("orders", "{}");
        context.Request.ContentLength = 10;

        await _handler.HandleAsync(context);

        AssertServiceError(context, 400, "InvalidRequestContentException");
        Assert.Empty(_router.Invocations);
    }
}
