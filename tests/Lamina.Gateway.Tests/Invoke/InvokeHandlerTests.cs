using System.Text;
using Lamina.Gateway.Auth;
using Lamina.Gateway.Routing;
using Lamina.Testing;
using Microsoft.Extensions.Logging;

namespace Lamina.Gateway.Tests.Invoke;

/// <summary>The invoke pipeline end to end: success, function errors, invocation types, and the operations the path allows.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvokeHandlerTests : InvokeHandlerTestsBase
{
    // ---------------------------------------------------------------- success

    [Fact]
    public async Task HandleAsync_Success_200WithTheFunctionsBytesAndTheLambdaHeaders()
    {
        // Unusual spacing and a number format a re-serialiser would change: the bytes must pass untouched.
        var result = "{ \"status\" :\"shipped\",\"total\":1.50e0 }"u8.ToArray();
        _router.Result = new RouteResult.Completed(result, FunctionError: null, LogResult: null);
        var context = Post("orders", """{"order":17}""");

        await _handler.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(result, ResponseBytes(context));
        Assert.Equal(result.Length, context.Response.ContentLength);
        Assert.Equal("$LATEST", Header(context, "X-Amz-Executed-Version"));
        var invocation = _router.Single;
        Assert.True(Guid.TryParse(invocation.Request.RequestId, out _));
        Assert.Equal(invocation.Request.RequestId, Header(context, "X-Amz-Request-Id"));
        Assert.Equal(invocation.Request.RequestId, Header(context, "x-amzn-RequestId"));
        Assert.False(context.Response.Headers.ContainsKey("X-Amz-Function-Error"));
        Assert.False(context.Response.Headers.ContainsKey("X-Amz-Log-Result"));
        Assert.False(context.Response.Headers.ContainsKey("X-Amzn-ErrorType"));
    }

    [Fact]
    public async Task HandleAsync_Invoked_OneAccessLogLineInItsOwnCategoryWithTheStatus()
    {
        _router.Result = new RouteResult.Completed("{}"u8.ToArray(), FunctionError: null, LogResult: null);
        var answered = Post("orders", """{"order":17}""");

        await _handler.HandleAsync(answered);

        var entry = Assert.Single(_accessLog.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.StartsWith($"invoke team-a.orders request {_router.Single.Request.RequestId} by ", entry.Message, StringComparison.Ordinal);
        Assert.Contains(": 200 in ", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_Success_RouterGetsThePayloadAndNoOptionalFields()
    {
        var context = Post("orders", """{"order":17}""");

        await _handler.HandleAsync(context);

        var invocation = _router.Single;
        Assert.Equal(new FunctionKey("team-a", "orders"), invocation.Function);
        Assert.Equal("""{"order":17}""", Encoding.UTF8.GetString(invocation.Request.Payload.Span));
        Assert.Null(invocation.Request.ClientContext);
        Assert.Null(invocation.Request.TraceId);
        Assert.False(invocation.Request.LogTail);
    }

    [Fact]
    public async Task HandleAsync_ClientContextTraceIdAndTail_PassedToTheRouterAsSent()
    {
        var clientContext = Convert.ToBase64String("""{"custom":{"tenant":"a"},"env":{}}"""u8);
        _router.Result = new RouteResult.Completed("1"u8.ToArray(), FunctionError: null, LogResult: "U1RBUlQgUmVxdWVzdElk");
        var context = Post("orders", "{}",
            ("X-Amz-Client-Context", clientContext),
            ("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"),
            ("X-Amz-Log-Type", "Tail"),
            ("X-Amz-Invocation-Type", "RequestResponse"));

        await _handler.HandleAsync(context);

        var request = _router.Single.Request;
        Assert.Equal(clientContext, request.ClientContext);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", request.TraceId);
        Assert.True(request.LogTail);
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("U1RBUlQgUmVxdWVzdElk", Header(context, "X-Amz-Log-Result"));
    }

    [Fact]
    public async Task HandleAsync_LogTypeNone_NoTailAsked()
    {
        var context = Post("orders", "{}", ("X-Amz-Log-Type", "None"));

        await _handler.HandleAsync(context);

        Assert.False(_router.Single.Request.LogTail);
    }

    [Theory]
    [InlineData("orders", "team-a", "orders")]
    [InlineData("orders:$LATEST", "team-a", "orders")]
    [InlineData("team-b.billing", "team-b", "billing")]
    [InlineData("team-b.billing:$LATEST", "team-b", "billing")]
    [InlineData("123456789012:function:team-b.billing", "team-b", "billing")]
    [InlineData("123456789012:function:orders", "team-a", "orders")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:team-b.billing", "team-b", "billing")]
    [InlineData("arn:aws:lambda:eu-west-1:000000000000:function:team-b.billing:$LATEST", "team-b", "billing")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:orders", "team-a", "orders")]
    public async Task HandleAsync_NameForm_RoutedToTheFunctionInItsNamespace(string functionName, string expectedNamespace, string expectedName)
    {
        // Post percent-encodes the name as the AWS CLI does (':' as %3A, '$' as %24); the server decodes it.
        var context = Post(functionName, "{}");

        await _handler.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(new FunctionKey(expectedNamespace, expectedName), _router.Single.Function);
    }

    [Fact]
    public async Task HandleAsync_AnyRequest_AuthenticatorSeesTheHeadersAtTheGatewaysTimeThenTheBodysHash()
    {
        _time.Advance(TimeSpan.FromMinutes(3));
        _authenticator.Result = new AuthResult.Authenticated(Alice) { SignaturePending = true };
        var context = Post("orders", """{"order":17}""");

        await _handler.HandleAsync(context);

        var call = Assert.Single(_authenticator.Calls);
        Assert.Equal("POST", call.Method);
        Assert.Equal(_time.GetUtcNow(), call.Now);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData("""{"order":17}"""u8), Assert.Single(_authenticator.Verified));
        Assert.Equal(200, context.Response.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_EmptyBody_RouterGetsAnEmptyPayload()
    {
        // The shim turns an empty payload into {} for the runtime, as Lambda does.
        var context = Post("orders", []);

        await _handler.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.True(_router.Single.Request.Payload.IsEmpty);
    }

    [Fact]
    public async Task HandleAsync_BodyWithoutContentLength_ReadToTheEnd()
    {
        var context = Post("orders", """{"order":17}""");
        context.Request.ContentLength = null;

        await _handler.HandleAsync(context);

        Assert.Equal("""{"order":17}""", Encoding.UTF8.GetString(_router.Single.Request.Payload.Span));
    }

    // ---------------------------------------------------------------- function errors

    // The gateway passes on whatever X-Amz-Function-Error the shim said. Handled, which today's shim
    // never sends (every function error is Unhandled, as in Lambda), is a value the gateway never makes
    // itself, so it shows the value is passed through rather than replaced.
    [Theory]
    [InlineData("Handled")]
    [InlineData("Unhandled")]
    public async Task HandleAsync_FunctionError_200WithTheErrorHeaderAndDocumentPassedThrough(string functionError)
    {
        var document = """{"errorMessage":"no stock","errorType":"OutOfStock","stackTrace":["at handler (index.js:3)"]}"""u8.ToArray();
        _router.Result = new RouteResult.Completed(document, functionError, LogResult: "bG9n");
        var context = Post("orders", "{}", ("X-Amz-Log-Type", "Tail"));

        await _handler.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(functionError, Header(context, "X-Amz-Function-Error"));
        Assert.Equal("bG9n", Header(context, "X-Amz-Log-Result"));
        Assert.Equal("$LATEST", Header(context, "X-Amz-Executed-Version"));
        Assert.Equal(document, ResponseBytes(context));
        Assert.False(context.Response.Headers.ContainsKey("X-Amzn-ErrorType"));
    }

    // ---------------------------------------------------------------- invocation types and headers

    [Fact]
    public async Task HandleAsync_DryRun_204WithoutCallingTheRouter()
    {
        var context = Post("orders", "{}", ("X-Amz-Invocation-Type", "DryRun"));

        await _handler.HandleAsync(context);

        Assert.Equal(204, context.Response.StatusCode);
        Assert.Empty(ResponseBytes(context));
        Assert.Empty(_router.Invocations);
    }

    [Fact]
    public async Task HandleAsync_DryRunOfAnUnknownFunction_404()
    {
        var context = Post("nothing", "{}", ("X-Amz-Invocation-Type", "DryRun"));

        await _handler.HandleAsync(context);

        AssertServiceError(context, 404, "ResourceNotFoundException");
    }

    // ---------------------------------------------------------------- operations

    [Theory]
    [InlineData("/")]
    [InlineData("/2015-03-31/functions/orders")]
    [InlineData("/2015-03-31/functions//invocations")]
    [InlineData("/2015-03-31/functions/orders/invocation")]
    [InlineData("/2015-03-31/functions/orders/configuration")]
    [InlineData("/2014-11-13/functions/orders/invocations")]
    public async Task HandleAsync_WrongPath_404UnknownOperation(string path)
    {
        var context = Post("orders", "{}");
        context.Request.Path = path;

        await _handler.HandleAsync(context);

        AssertServiceError(context, 404, "UnknownOperationException");
        Assert.Empty(_authenticator.Calls);
        Assert.Empty(_router.Invocations);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task HandleAsync_OtherMethodOnTheInvokePath_405AllowingPost(string method)
    {
        var context = Post("orders", "{}");
        context.Request.Method = method;

        await _handler.HandleAsync(context);

        AssertServiceError(context, 405, "UnknownOperationException");
        Assert.Equal("POST", Header(context, "Allow"));
        Assert.Empty(_authenticator.Calls);
        Assert.Empty(_router.Invocations);
    }
}
