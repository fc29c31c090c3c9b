using System.Globalization;
using System.Text;
using System.Text.Json;
using Lamina.Contracts.Lambda;
using Lamina.Contracts.Shim;
using Lamina.RuntimeShim.Execution;
using Lamina.RuntimeShim.Http;
using Lamina.RuntimeShim.Invoke;
using Lamina.RuntimeShim.Tests.Execution;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;
using static Lamina.RuntimeShim.Tests.Execution.EnvironmentHarness;

namespace Lamina.RuntimeShim.Tests.Invoke;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvokeHandlerTests : IDisposable
{
    private const string RiePath = "/2015-03-31/functions/function/invocations";
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>SHA-256 of "gateway-token", as the operator puts it in the pod.</summary>
    private static readonly string TokenHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("gateway-token"u8));

    private readonly EnvironmentHarness _harness = new();
    private readonly InvokeHandler _handler;

    public InvokeHandlerTests() => _handler = new InvokeHandler(_harness.Environment, _harness.Time, rieEnabled: true);

    private ExecutionEnvironment Environment => _harness.Environment;

    public void Dispose() => _harness.Dispose();

    // ---------------------------------------------------------------- the gateway's contract

    [Fact]
    public async Task HandleAsync_ContractInvocation_RuntimeGetsEveryFieldAndCallerEveryHeader()
    {
        var next = _harness.StartInitialisedRuntime();
        var deadline = _harness.Time.GetUtcNow() + TimeSpan.FromSeconds(2);
        var context = Post(ShimInvokeContract.Path, """{"order":17}""",
            (ShimInvokeContract.Headers.RequestId, "3f2a9c1e-0000-4000-8000-000000000001"),
            (ShimInvokeContract.Headers.DeadlineMs, deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
            (ShimInvokeContract.Headers.ClientContext, Convert.ToBase64String("""{"custom":{"tenant":"a"}}"""u8)),
            (ShimInvokeContract.Headers.CognitoIdentity, """{"cognitoIdentityId":"us-east-1:1"}"""),
            (ShimInvokeContract.Headers.TraceId, "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"),
            (ShimInvokeContract.Headers.InvocationType, "Event"),
            (ShimInvokeContract.Headers.LogType, "Tail"));

        var handle = _handler.HandleAsync(context);
        var invocation = await next.Bounded();
        Environment.OnRuntimeOutput("processing order 17\n"u8);
        _harness.Time.Advance(TimeSpan.FromMilliseconds(40));
        await Environment.CompleteAsync(invocation.RequestId, """{"status":"shipped"}"""u8.ToArray(), functionError: null, errorType: null).Bounded();
        await handle.Bounded();

        var request = invocation.Request;
        Assert.Equal("3f2a9c1e-0000-4000-8000-000000000001", request.RequestId);
        Assert.Equal("""{"order":17}""", Text(request.Payload));
        Assert.Equal(deadline, invocation.Deadline);
        Assert.Equal("""{"custom":{"tenant":"a"}}""", request.ClientContext);
        Assert.Equal("""{"cognitoIdentityId":"us-east-1:1"}""", request.CognitoIdentity);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", invocation.TraceId);
        Assert.Equal(LambdaInvokeApi.InvocationTypes.Event, request.InvocationType);

        var response = context.Response;
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("""{"status":"shipped"}""", Body(context));
        Assert.Equal("completed", Header(context, ShimInvokeContract.Headers.Status));
        Assert.Equal("3f2a9c1e-0000-4000-8000-000000000001", Header(context, ShimInvokeContract.Headers.RequestId));
        Assert.Equal("true", Header(context, ShimInvokeContract.Headers.ColdStart));
        Assert.Equal("250", Header(context, ShimInvokeContract.Headers.InitDurationMs));
        Assert.Equal("40", Header(context, ShimInvokeContract.Headers.DurationMs));
        Assert.False(response.Headers.ContainsKey(ShimInvokeContract.Headers.FunctionError));
        Assert.False(response.Headers.ContainsKey(ShimInvokeContract.Headers.FunctionErrorType));
        var log = Encoding.UTF8.GetString(Convert.FromBase64String(Header(context, ShimInvokeContract.Headers.LogResult)));
        Assert.StartsWith("START RequestId: 3f2a9c1e-0000-4000-8000-000000000001 Version: $LATEST\nprocessing order 17\nEND RequestId: ", log, StringComparison.Ordinal);
        Assert.Contains("\nREPORT RequestId: 3f2a9c1e-0000-4000-8000-000000000001\tDuration: 40.00 ms", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ContractWarmInvocationWithoutTail_NoInitDurationNoLogResult()
    {
        await _harness.RunAsync(_harness.StartInitialisedRuntime(), "r1", "1", TimeSpan.Zero);
        var next = Environment.NextAsync(None);
        var context = Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.RequestId, "r2"));

        var handle = _handler.HandleAsync(context);
        await next.Bounded();
        await Environment.CompleteAsync("r2", "2"u8.ToArray(), functionError: null, errorType: null).Bounded();
        await handle.Bounded();

        Assert.Equal("completed", Header(context, ShimInvokeContract.Headers.Status));
        Assert.Equal("false", Header(context, ShimInvokeContract.Headers.ColdStart));
        Assert.False(context.Response.Headers.ContainsKey(ShimInvokeContract.Headers.InitDurationMs));
        Assert.False(context.Response.Headers.ContainsKey(ShimInvokeContract.Headers.LogResult));
        Assert.Equal("2", Body(context));
    }

    [Fact]
    public async Task HandleAsync_ContractNoRequestId_OneIsMadeAndReturned()
    {
        var next = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, "{}");

        var handle = _handler.HandleAsync(context);
        var invocation = await next.Bounded();
        await Environment.CompleteAsync(invocation.RequestId, "1"u8.ToArray(), functionError: null, errorType: null).Bounded();
        await handle.Bounded();

        Assert.True(Guid.TryParse(invocation.RequestId, out _));
        Assert.Equal(invocation.RequestId, Header(context, ShimInvokeContract.Headers.RequestId));
    }

    [Fact]
    public async Task HandleAsync_ContractFunctionError_StatusCompletedWithTheErrorHeaders()
    {
        const string document = """{"errorMessage":"no stock","errorType":"OutOfStock"}""";
        var next = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.RequestId, "r1"));

        var handle = _handler.HandleAsync(context);
        await next.Bounded();
        await Environment.CompleteAsync("r1", Encoding.UTF8.GetBytes(document), LambdaInvokeApi.FunctionErrors.Unhandled, "OutOfStock").Bounded();
        await handle.Bounded();

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("completed", Header(context, ShimInvokeContract.Headers.Status));
        Assert.Equal("Unhandled", Header(context, ShimInvokeContract.Headers.FunctionError));
        Assert.Equal("OutOfStock", Header(context, ShimInvokeContract.Headers.FunctionErrorType));
        Assert.Equal(document, Body(context));
    }

    [Theory]
    [InlineData("Lambda-Runtime-Function-Error-Type", "Evil\r\nSTART RequestId: forged")]
    [InlineData("Lambda-Runtime-Function-Error-Type", "Ошибка\0")]
    [InlineData(null, "Evil\nREPORT RequestId: forged")]
    public async Task HandleAsync_RuntimePostsAnUnsafeErrorType_HeaderAndReportLineCarryTheSafeForm(string? header, string type)
    {
        var next = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.RequestId, "r1"), (ShimInvokeContract.Headers.LogType, "Tail"));
        var handle = _handler.HandleAsync(context);
        await next.Bounded();
        var document = JsonSerializer.Serialize(new Dictionary<string, string> { ["errorMessage"] = "bad", ["errorType"] = type });
        var post = Post("/2018-06-01/runtime/invocation/r1/error", document);
        if (header is not null)
        {
            post.Request.Headers[header] = type;
        }

        await new Lamina.RuntimeShim.RuntimeApi.RuntimeApiHandler(Environment).HandleAsync(post).Bounded();
        await handle.Bounded();

        var safe = ErrorType.From(type).Value;
        Assert.Equal(202, post.Response.StatusCode);
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("Unhandled", Header(context, ShimInvokeContract.Headers.FunctionError));
        Assert.Equal(safe, Header(context, ShimInvokeContract.Headers.FunctionErrorType));
        Assert.Equal(document, Body(context));
        var log = Encoding.UTF8.GetString(Convert.FromBase64String(Header(context, ShimInvokeContract.Headers.LogResult)));
        Assert.Contains($"\tStatus: error\tError Type: {safe}\n", log, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Split('\n'), line => line.StartsWith("START RequestId: forged", StringComparison.Ordinal) || line.StartsWith("REPORT RequestId: forged", StringComparison.Ordinal));
        Assert.Single(log.Split('\n'), line => line.StartsWith("REPORT ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HandleAsync_ContractAnotherInvocationInFlight_429Busy()
    {
        var next = _harness.StartInitialisedRuntime();
        _ = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();
        var context = Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.RequestId, "r2"));

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("busy", Header(context, ShimInvokeContract.Headers.Status));
        Assert.Equal("EnvironmentBusyException", Header(context, "X-Amzn-ErrorType"));
        Assert.Equal("User", ServiceErrorType(context));
    }

    [Fact]
    public async Task HandleAsync_ContractRuntimeNotInitialised_503Unavailable()
    {
        _harness.StartRuntime();
        var context = Post(ShimInvokeContract.Path, "{}");

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("unavailable", Header(context, ShimInvokeContract.Headers.Status));
        Assert.Equal("EnvironmentUnavailableException", Header(context, "X-Amzn-ErrorType"));
        Assert.Equal("Service", ServiceErrorType(context));
        Assert.False(Environment.IsBusy);
    }

    [Fact]
    public async Task HandleAsync_ContractDraining_503Unavailable()
    {
        _ = _harness.StartInitialisedRuntime();
        await Environment.DrainAsync(None).Bounded();
        var context = Post(ShimInvokeContract.Path, "{}");

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("unavailable", Header(context, ShimInvokeContract.Headers.Status));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("{\"a\":1}{\"b\":2}")]
    [InlineData("   ")]
    public async Task HandleAsync_ContractBodyNotJson_400InvalidRequestContent(string body)
    {
        _ = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, body);

        await _handler.HandleAsync(context).Bounded();

        AssertRejected(context, 400, "InvalidRequestContentException");
    }

    [Theory]
    [InlineData("\"a string\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("[1,2]")]
    [InlineData("  {\"padded\":true}\n")]
    public async Task HandleAsync_ContractAnyJsonValue_Delivered(string body)
    {
        var next = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, body);

        _ = _handler.HandleAsync(context);
        var invocation = await next.Bounded();

        Assert.Equal(body, Text(invocation.Request.Payload));
    }

    [Fact]
    public async Task HandleAsync_ContractDeclaredBodyOverTheLimit_413RequestTooLarge()
    {
        _ = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, body: null);
        context.Request.ContentLength = PayloadLimits.Request + 1;

        await _handler.HandleAsync(context).Bounded();

        AssertRejected(context, 413, "RequestTooLargeException");
        Assert.Contains("Request must be smaller than 6291456 bytes for the InvokeFunction operation", Body(context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ContractChunkedBodyOverTheLimit_413RequestTooLarge()
    {
        _ = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, body: null);
        context.Request.Body = new MemoryStream(JsonString(PayloadLimits.Request + 1));

        await _handler.HandleAsync(context).Bounded();

        AssertRejected(context, 413, "RequestTooLargeException");
    }

    [Fact]
    public async Task HandleAsync_ContractChunkedBodyAtTheLimit_Delivered()
    {
        var next = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, body: null);
        context.Request.Body = new MemoryStream(JsonString(PayloadLimits.Request));

        _ = _handler.HandleAsync(context);
        var invocation = await next.Bounded();

        Assert.Equal(PayloadLimits.Request, invocation.Request.Payload.Length);
    }

    [Theory]
    [InlineData("!!not base64!!")]
    [InlineData("aGVsbG8=")] // "hello": base64, but not JSON
    public async Task HandleAsync_ContractBadClientContext_400InvalidParameterValue(string clientContext)
    {
        _ = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.ClientContext, clientContext));

        await _handler.HandleAsync(context).Bounded();

        AssertRejected(context, 400, "InvalidParameterValueException");
    }

    [Fact]
    public async Task HandleAsync_ContractClientContextOverTheLimit_400InvalidParameterValue()
    {
        _ = _harness.StartInitialisedRuntime();
        var tooLong = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"custom\":\"" + new string('x', 2700) + "\"}"));
        Assert.True(tooLong.Length > LambdaInvokeApi.MaximumClientContextLength);
        var context = Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.ClientContext, tooLong));

        await _handler.HandleAsync(context).Bounded();

        AssertRejected(context, 400, "InvalidParameterValueException");
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("253402300800000")]
    [InlineData("99999999999999999999")]
    public async Task HandleAsync_ContractBadDeadline_400InvalidParameterValue(string deadline)
    {
        _ = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.DeadlineMs, deadline));

        await _handler.HandleAsync(context).Bounded();

        AssertRejected(context, 400, "InvalidParameterValueException");
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData("semi;colon")]
    [InlineData("ünïcode")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task HandleAsync_ContractBadRequestId_400InvalidParameterValue(string requestId)
    {
        _ = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.RequestId, requestId));

        await _handler.HandleAsync(context).Bounded();

        AssertRejected(context, 400, "InvalidParameterValueException");
    }

    [Fact]
    public async Task HandleAsync_ContractCognitoIdentityNotJson_400InvalidParameterValue()
    {
        _ = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.CognitoIdentity, "not json"));

        await _handler.HandleAsync(context).Bounded();

        AssertRejected(context, 400, "InvalidParameterValueException");
    }

    [Fact]
    public async Task HandleAsync_ContractUnknownInvocationType_400InvalidParameterValue()
    {
        _ = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.InvocationType, "DryRun"));

        await _handler.HandleAsync(context).Bounded();

        AssertRejected(context, 400, "InvalidParameterValueException");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(null)]
    public async Task HandleAsync_ContractEmptyBody_RuntimeReceivesAnEmptyObject(int? contentLength)
    {
        var next = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, body: null);
        context.Request.ContentLength = contentLength;

        _ = _handler.HandleAsync(context);
        var invocation = await next.Bounded();

        Assert.Equal("{}", Text(invocation.Request.Payload));
    }

    [Fact]
    public async Task HandleAsync_ContractGet_405()
    {
        var context = Post(ShimInvokeContract.Path, body: null);
        context.Request.Method = "GET";

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(405, context.Response.StatusCode);
        Assert.Equal("POST", context.Response.Headers.Allow.ToString());
    }

    // ---------------------------------------------------------------- RIE's path

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-token")]
    public async Task HandleAsync_ContractWithoutTheGatewaysToken_UnauthorizedAndNotRun(string? presented)
    {
        var handler = new InvokeHandler(_harness.Environment, _harness.Time, tokens: InvokeTokens.Parse(TokenHash, local: false));
        var context = presented is null
            ? Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.RequestId, "r-1"))
            : Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.RequestId, "r-1"), (ShimInvokeContract.Headers.Token, presented));

        await handler.HandleAsync(context);

        Assert.Equal(401, context.Response.StatusCode);
        Assert.Equal(ShimInvokeContract.Statuses.Rejected, Header(context, ShimInvokeContract.Headers.Status));
        Assert.Contains("Only Lamina gateways may invoke", Body(context), StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_TokenWhoseHashIsListed_TrueAndOthersFalse()
    {
        var tokens = InvokeTokens.Parse($"{new string('0', 64)}, {TokenHash}", local: false);

        Assert.True(tokens.Required);
        Assert.True(tokens.Accepts("gateway-token"));
        Assert.False(tokens.Accepts("gateway-token "));
        Assert.False(tokens.Accepts(null));
        Assert.True(InvokeTokens.Parse(null, local: true).Accepts(null));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Parse_NoVariableOutsideLocalMode_RefusesEveryone(string? value)
    {
        var tokens = InvokeTokens.Parse(value, local: false);

        Assert.True(tokens.Required);
        Assert.True(tokens.RefusesEveryone);
        Assert.False(tokens.Accepts(null));
        Assert.False(tokens.Accepts("gateway-token"));
        Assert.False(tokens.Accepts("anything"));
    }

    [Fact]
    public void Parse_NoVariableInLocalMode_AcceptsEveryone()
    {
        var tokens = InvokeTokens.Parse(null, local: true);

        Assert.False(tokens.Required);
        Assert.False(tokens.RefusesEveryone);
        Assert.True(tokens.Accepts(null));
    }

    [Fact]
    public async Task HandleAsync_ContractInAPodWithoutHashes_UnauthorizedAndNotRun()
    {
        var handler = new InvokeHandler(_harness.Environment, _harness.Time, tokens: InvokeTokens.Parse(null, local: false));
        _ = _harness.StartInitialisedRuntime();
        var context = Post(ShimInvokeContract.Path, "{}", (ShimInvokeContract.Headers.RequestId, "r-1"), (ShimInvokeContract.Headers.Token, "gateway-token"));

        await handler.HandleAsync(context).Bounded();

        Assert.Equal(401, context.Response.StatusCode);
        Assert.Equal(ShimInvokeContract.Statuses.Rejected, Header(context, ShimInvokeContract.Headers.Status));
        Assert.True(Environment.IsReady);
    }

    [Fact]
    public void Parse_VariableWithNoValidHash_RefusesEveryone()
    {
        var tokens = InvokeTokens.Parse("not-a-hash,also-not", local: false);

        Assert.True(tokens.Required);
        Assert.False(tokens.Accepts("gateway-token"));
        Assert.False(tokens.Accepts(null));
    }

    [Fact]
    public async Task HandleAsync_RiePathOutsideLocalMode_NotFoundAndNotRun()
    {
        var handler = new InvokeHandler(_harness.Environment, _harness.Time, rieEnabled: false);
        var context = Post(RiePath, "{}");

        await handler.HandleAsync(context);

        Assert.Equal(404, context.Response.StatusCode);
        Assert.Contains("served in --local mode only", Body(context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_RieInvocationWithTail_LambdaHeadersAndLogResult()
    {
        var next = _harness.StartInitialisedRuntime();
        var context = Post(RiePath, """{"x":1}""", ("X-Amz-Log-Type", "Tail"), ("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"));

        var handle = _handler.HandleAsync(context);
        var invocation = await next.Bounded();
        Environment.OnRuntimeOutput("hello from the handler\n"u8);
        await Environment.CompleteAsync(invocation.RequestId, "\"hi\""u8.ToArray(), functionError: null, errorType: null).Bounded();
        await handle.Bounded();

        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", invocation.TraceId);
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("\"hi\"", Body(context));
        Assert.Equal(invocation.RequestId, Header(context, "X-Amz-Request-Id"));
        Assert.Equal("$LATEST", Header(context, "X-Amz-Executed-Version"));
        Assert.False(context.Response.Headers.ContainsKey("X-Amz-Function-Error"));
        var log = Encoding.UTF8.GetString(Convert.FromBase64String(Header(context, "X-Amz-Log-Result")));
        Assert.Contains("hello from the handler\n", log, StringComparison.Ordinal);
        Assert.StartsWith($"START RequestId: {invocation.RequestId} ", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_RieRuntimePostsAnError_XAmzFunctionErrorUnhandledAndTheErrorDocument()
    {
        // A handler that raised: Lambda answers Unhandled on every current runtime (Handled was Node.js 0.10's context.fail).
        const string document = """{"errorMessage":"bad","errorType":"ValueError"}""";
        var next = _harness.StartInitialisedRuntime();
        var context = Post("/2015-03-31/functions/any-name/invocations", "{}");

        var handle = _handler.HandleAsync(context);
        var invocation = await next.Bounded();
        var post = Post($"/2018-06-01/runtime/invocation/{invocation.RequestId}/error", document);
        await new Lamina.RuntimeShim.RuntimeApi.RuntimeApiHandler(Environment).HandleAsync(post).Bounded();
        await handle.Bounded();

        Assert.Equal(202, post.Response.StatusCode);
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("Unhandled", Header(context, "X-Amz-Function-Error"));
        Assert.Equal(document, Body(context));
        Assert.False(context.Response.Headers.ContainsKey("X-Amz-Log-Result"));
    }

    [Fact]
    public async Task HandleAsync_RieTimeout_UnhandledFunctionError()
    {
        var next = _harness.StartInitialisedRuntime();
        var context = Post(RiePath, "{}");

        var handle = _handler.HandleAsync(context);
        await next.Bounded();
        _harness.Time.Advance(DefaultTimeout);
        await handle.Bounded();

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("Unhandled", Header(context, "X-Amz-Function-Error"));
        Assert.Contains("Sandbox.Timedout", Body(context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_RieBeforeTheRuntimeInitialised_WaitsAndRuns()
    {
        var context = Post(RiePath, "{}");

        var handle = _handler.HandleAsync(context);
        Assert.False(handle.IsCompleted);
        var next = _harness.StartInitialisedRuntime();
        var invocation = await next.Bounded();
        await Environment.CompleteAsync(invocation.RequestId, "1"u8.ToArray(), functionError: null, errorType: null).Bounded();
        await handle.Bounded();

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("1", Body(context));
    }

    [Fact]
    public async Task HandleAsync_RieDryRun_204WithoutRunning()
    {
        var next = _harness.StartInitialisedRuntime();
        var context = Post(RiePath, "{}", ("X-Amz-Invocation-Type", "DryRun"));

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(204, context.Response.StatusCode);
        Assert.Equal(string.Empty, Body(context));
        Assert.False(next.IsCompleted);
        Assert.False(Environment.IsBusy);
    }

    [Fact]
    public async Task HandleAsync_RieEvent_400InvalidParameterValue()
    {
        var next = _harness.StartInitialisedRuntime();
        var context = Post(RiePath, "{}", ("X-Amz-Invocation-Type", "Event"));

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("InvalidParameterValueException", Header(context, "X-Amzn-ErrorType"));
        Assert.False(next.IsCompleted);
    }

    [Fact]
    public async Task HandleAsync_RieBadLogType_400InvalidParameterValue()
    {
        _ = _harness.StartInitialisedRuntime();
        var context = Post(RiePath, "{}", ("X-Amz-Log-Type", "Full"));

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("InvalidParameterValueException", Header(context, "X-Amzn-ErrorType"));
    }

    [Fact]
    public async Task HandleAsync_RieBodyNotJson_400InvalidRequestContent()
    {
        _ = _harness.StartInitialisedRuntime();
        var context = Post(RiePath, "not json");

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("InvalidRequestContentException", Header(context, "X-Amzn-ErrorType"));
        Assert.False(context.Response.Headers.ContainsKey(ShimInvokeContract.Headers.Status));
    }

    [Fact]
    public async Task HandleAsync_RieAnotherInvocationInFlight_429TooManyRequests()
    {
        var next = _harness.StartInitialisedRuntime();
        _ = Environment.InvokeAsync(Request("r1"), waitForInit: false, None);
        await next.Bounded();
        var context = Post(RiePath, "{}");

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("TooManyRequestsException", Header(context, "X-Amzn-ErrorType"));
        using var json = JsonDocument.Parse(Body(context));
        Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", json.RootElement.GetProperty("Reason").GetString());
    }

    [Fact]
    public async Task HandleAsync_RieDraining_502ResourceNotReady()
    {
        _ = _harness.StartInitialisedRuntime();
        await Environment.DrainAsync(None).Bounded();
        var context = Post(RiePath, "{}");

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(502, context.Response.StatusCode);
        Assert.Equal("ResourceNotReadyException", Header(context, "X-Amzn-ErrorType"));
    }

    [Fact]
    public async Task HandleAsync_RieGet_405()
    {
        var context = Post(RiePath, body: null);
        context.Request.Method = "GET";

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(405, context.Response.StatusCode);
        Assert.Equal("POST", context.Response.Headers.Allow.ToString());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/lamina/v1/invoke/extra")]
    [InlineData("/2015-03-31/functions//invocations")]
    [InlineData("/2015-03-31/functions/function")]
    [InlineData("/2018-06-01/runtime/invocation/next")]
    public async Task HandleAsync_UnknownPath_404ResourceNotFound(string path)
    {
        var context = Post(path, "{}");

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(404, context.Response.StatusCode);
        Assert.Equal("ResourceNotFoundException", Header(context, "X-Amzn-ErrorType"));
    }

    // ---------------------------------------------------------------- helpers

    private static DefaultHttpContext Post(string path, string? body, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = path;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
        }

        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>A JSON string of exactly <paramref name="length"/> bytes.</summary>
    private static byte[] JsonString(int length)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill((byte)'a');
        bytes[0] = (byte)'"';
        bytes[^1] = (byte)'"';
        return bytes;
    }

    private static string Header(HttpContext context, string name)
    {
        Assert.True(context.Response.Headers.TryGetValue(name, out var value), $"the response has no {name} header");
        return value.ToString();
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    private static string ServiceErrorType(HttpContext context)
    {
        using var json = JsonDocument.Parse(Body(context));
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("message").GetString()));
        return json.RootElement.GetProperty("Type").GetString()!;
    }

    private void AssertRejected(HttpContext context, int status, string exception)
    {
        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("rejected", Header(context, ShimInvokeContract.Headers.Status));
        Assert.Equal(exception, Header(context, "X-Amzn-ErrorType"));
        Assert.Equal("User", ServiceErrorType(context));
        Assert.False(Environment.IsBusy);
    }
}
