using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Invoke;

/// <summary>What routing answered, as Lambda's response (InvokeResponder).</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvokeHandlerResponseTests : InvokeHandlerTestsBase
{
    // ---------------------------------------------------------------- what routing answered

    [Fact]
    public async Task HandleAsync_QueueFull_429WithReasonAndRetryAfter()
    {
        _router.Result = new RouteResult.QueueFull();
        var context = Post("orders", "{}");

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 429, "TooManyRequestsException");
        Assert.Equal("ConcurrentInvocationLimitExceeded", error["Reason"]);
        Assert.Equal("Rate Exceeded.", error["message"]);
        Assert.True(int.TryParse(Header(context, "Retry-After"), out var seconds) && seconds > 0);
        Assert.False(context.Response.Headers.ContainsKey("X-Amz-Function-Error"));
    }

    [Fact]
    public async Task HandleAsync_NoEnvironment_502ResourceNotReady()
    {
        _router.Result = new RouteResult.NoEnvironment("no environment of team-a.orders became free within 10 s");
        var context = Post("orders", "{}");

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 502, "ResourceNotReadyException", type: "Service");
        Assert.Equal("no environment of team-a.orders became free within 10 s", error["message"]);
    }

    [Theory]
    [InlineData("ReservedFunctionConcurrentInvocationLimitExceeded")]
    [InlineData("ConcurrentInvocationLimitExceeded")]
    public async Task HandleAsync_Throttled_429WithTheControllersReasonAndRetryAfter(string reason)
    {
        _router.Result = new RouteResult.Throttled(reason, "Rate Exceeded.");
        var context = Post("orders", "{}");

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 429, "TooManyRequestsException");
        Assert.Equal(reason, error["Reason"]);
        Assert.Equal("Rate Exceeded.", error["message"]);
        Assert.Equal("1", Header(context, "Retry-After"));
    }

    [Fact]
    public async Task HandleAsync_ThrottledWithoutAMessage_LambdasMessage()
    {
        _router.Result = new RouteResult.Throttled("ReservedFunctionConcurrentInvocationLimitExceeded", "");
        var context = Post("orders", "{}");

        await _handler.HandleAsync(context);

        Assert.Equal("Rate Exceeded.", AssertServiceError(context, 429, "TooManyRequestsException")["message"]);
    }

    [Fact]
    public async Task HandleAsync_Failed_502ResourceNotReadyWithTheControllersMessage()
    {
        _router.Result = new RouteResult.Failed("function team-a.orders cannot start an environment: ErrImageNeverPull: image not present");
        var context = Post("orders", "{}");

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 502, "ResourceNotReadyException", type: "Service");
        Assert.Equal("function team-a.orders cannot start an environment: ErrImageNeverPull: image not present", error["message"]);
    }

    [Fact]
    public async Task HandleAsync_EnvironmentLost_200UnhandledExitErrorNamingTheRequest()
    {
        _router.Result = new RouteResult.EnvironmentLost("the pod was deleted");
        var context = Post("orders", "{}");

        await _handler.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("Unhandled", Header(context, "X-Amz-Function-Error"));
        Assert.Equal("$LATEST", Header(context, "X-Amz-Executed-Version"));
        var document = JsonFields(context);
        Assert.Equal("Runtime.ExitError", document["errorType"]);
        Assert.StartsWith($"RequestId: {_router.Single.Request.RequestId} Error: ", document["errorMessage"], StringComparison.Ordinal);
        Assert.Contains("the pod was deleted", document["errorMessage"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_RouterThrows_500ServiceException()
    {
        _router.OnInvoke = (_, _, _) => throw new HttpRequestException("connection refused");
        var context = Post("orders", "{}");

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 500, "ServiceException", type: "Service");
        Assert.Contains(Header(context, "X-Amz-Request-Id"), error["message"], StringComparison.Ordinal);
        Assert.DoesNotContain("connection refused", error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_CallerDisconnectsWhileRouted_NothingWrittenNothingThrown()
    {
        using var aborted = new CancellationTokenSource();
        var context = Post("orders", "{}");
        context.RequestAborted = aborted.Token;
        _router.OnInvoke = (_, _, cancellationToken) =>
        {
            aborted.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
        };

        await _handler.HandleAsync(context);

        Assert.Empty(ResponseBytes(context));
        Assert.False(context.Response.Headers.ContainsKey("X-Amzn-ErrorType"));
    }
}
