using Lamina.Gateway.Auth;
using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Invoke;

/// <summary>Authorisation: the grant is checked before the function's existence, and nothing about a namespace the caller may not use leaks.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvokeHandlerAuthorisationTests : InvokeHandlerTestsBase
{
    // ---------------------------------------------------------------- authorisation

    [Fact]
    public async Task HandleAsync_NamespaceNotGranted_403AccessDenied()
    {
        var context = Post("team-c.payroll", "{}");

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 403, "AccessDeniedException");
        Assert.Equal(
            "User: alice is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:team-c.payroll because no identity-based policy allows the lambda:InvokeFunction action",
            error["message"]);
        Assert.Empty(_router.Invocations);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("X-Amz-Invocation-Type", "DryRun")]
    [InlineData("X-Amz-Invocation-Type", "Event")]
    public async Task HandleAsync_NamespaceNotGranted_SameAnswerWhetherOrNotTheFunctionExists(string header, string value)
    {
        var exists = Post("team-c.payroll", "{}", (header, value));
        var missing = Post("team-c.nothing", "{}", (header, value));

        await _handler.HandleAsync(exists);
        await _handler.HandleAsync(missing);

        Assert.Equal(403, exists.Response.StatusCode);
        Assert.Equal(exists.Response.StatusCode, missing.Response.StatusCode);
        Assert.Equal(Header(exists, "X-Amzn-ErrorType"), Header(missing, "X-Amzn-ErrorType"));
        Assert.Equal(
            ResponseText(exists).Replace("team-c.payroll", "<resource>", StringComparison.Ordinal),
            ResponseText(missing).Replace("team-c.nothing", "<resource>", StringComparison.Ordinal));
        Assert.Equal(
            exists.Response.Headers.Keys.Order(StringComparer.OrdinalIgnoreCase),
            missing.Response.Headers.Keys.Order(StringComparer.OrdinalIgnoreCase));
        Assert.Empty(_catalog.Lookups);
        Assert.Empty(_router.Invocations);
    }

    [Fact]
    public async Task HandleAsync_NamespaceNotGrantedWithAQualifier_403Not404()
    {
        var context = Post("team-c.payroll:7", "{}");

        await _handler.HandleAsync(context);

        AssertServiceError(context, 403, "AccessDeniedException");
        Assert.Empty(_catalog.Lookups);
    }

    [Fact]
    public async Task HandleAsync_CallerGrantedEveryNamespace_InvokesAnywhere()
    {
        _authenticator.Result = new AuthResult.Authenticated(new Caller("anonymous", Namespaces: null, "team-a"));
        var context = Post("team-c.payroll", "{}");

        await _handler.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(new FunctionKey("team-c", "payroll"), _router.Single.Function);
    }

    [Theory]
    [InlineData("InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")]
    [InlineData("UnrecognizedClientException", "The security token included in the request is invalid.")]
    [InlineData("AccessDeniedException", "Signature expired.")]
    public async Task HandleAsync_AuthenticationDenied_403WithTheAuthenticatorsException(string exception, string message)
    {
        _authenticator.Result = new AuthResult.Denied(exception, message);
        var context = Post("orders", "{}");

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 403, exception);
        Assert.Equal(new Dictionary<string, string?> { ["Type"] = "User", ["message"] = message }, error);
        Assert.Empty(_catalog.Lookups);
        Assert.Empty(_router.Invocations);
    }
}
