using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Lamina.Gateway.Async;
using Lamina.Gateway.Auth;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Tests.Auth;
using Lamina.Gateway.Tests.Fakes;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.Invoke;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvokeHandlerTests : IDisposable
{
    private const string FunctionArn = "arn:aws:lambda:us-east-1:000000000000:function:";
    private const string TooLarge = "Request must be smaller than 6291456 bytes for the InvokeFunction operation";

    private static readonly string[] ServiceErrorFields = ["Type", "message", "Reason"];

    // alice may invoke in team-a (her default) and team-b; team-c has a function she must not learn about.
    private static readonly Caller Alice = new("alice", new HashSet<string>(StringComparer.Ordinal) { "team-a", "team-b" }, "team-a");

    private readonly ManualTimeProvider _time = new();
    private readonly FakeRequestAuthenticator _authenticator = new(new AuthResult.Authenticated(Alice));
    private readonly FakeFunctionCatalog _catalog = new(("team-a", "orders"), ("team-a", "aA"), ("team-b", "billing"), ("team-c", "payroll"));
    private readonly RecordingInvocationRouter _router = new();
    private readonly FakeAsyncQueue _async = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly RecordingMeterListener _meters;
    private readonly InvokeHandler _handler;
    private readonly RecordingLogger<InvokeHandler> _accessLog = new();
    private readonly ILoggerFactory _loggers;

    public InvokeHandlerTests()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        _meters = new RecordingMeterListener(meterFactory);
        // Only the access log's category reaches the recorder.
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(_accessLog).AddFilter((category, _) => category == AccessLog.Category));
        _handler = new InvokeHandler(
            _authenticator,
            _catalog,
            _router,
            _async,
            new InvokeMetrics(meterFactory),
            Options.Create(new GatewayOptions()),
            _time,
            NullLogger<InvokeHandler>.Instance,
            _loggers);
    }

    public void Dispose()
    {
        _meters.Dispose();
        _loggers.Dispose();
        _services.Dispose();
    }

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

    // ---------------------------------------------------------------- Event (async)

    [Fact]
    public async Task HandleAsync_EventWithAsyncOff_400SayingItIsOff()
    {
        var context = Post("orders", "{}", ("X-Amz-Invocation-Type", "Event"));

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 400, "InvalidParameterValueException");
        Assert.Contains("Asynchronous invocation", error["message"], StringComparison.Ordinal);
        Assert.Contains("Lamina:Gateway:Async:Redis", error["message"], StringComparison.Ordinal);
        Assert.Empty(_router.Invocations);
    }

    [Fact]
    public async Task HandleAsync_Event_202EmptyWithTheRequestIdTheEventIsStoredWith()
    {
        _async.Enabled = true;
        _time.Advance(TimeSpan.FromMinutes(7));
        var context = Post("team-b.billing", """{"order":17}""", ("X-Amz-Invocation-Type", "Event"));

        await _handler.HandleAsync(context);

        Assert.Equal(202, context.Response.StatusCode);
        Assert.Empty(ResponseBytes(context));
        var (function, stored) = Assert.Single(_async.Stored);
        Assert.Equal(new FunctionKey("team-b", "billing"), function);
        Assert.True(Guid.TryParse(stored.RequestId, out _));
        Assert.Equal(stored.RequestId, Header(context, "X-Amz-Request-Id"));
        Assert.Equal("""{"order":17}""", Encoding.UTF8.GetString(stored.Payload.Span));
        Assert.Equal(_time.GetUtcNow(), stored.EnqueuedAt);
        Assert.Equal(0, stored.Attempt);
        Assert.Equal(0, stored.FunctionErrors);
        Assert.Null(stored.LastOutcome);
        Assert.Empty(_router.Invocations);
        Assert.Equal(1, _meters.Sum("lamina_invocations_total", ("namespace", "team-b"), ("function", "billing"), ("invocation_type", "Event")));
    }

    [Fact]
    public async Task HandleAsync_EventWithClientContextAndTrace_StoredWithTheEvent()
    {
        _async.Enabled = true;
        var clientContext = Convert.ToBase64String("""{"custom":{"tenant":"a"}}"""u8);
        var context = Post("orders", "{}",
            ("X-Amz-Invocation-Type", "Event"),
            ("X-Amz-Client-Context", clientContext),
            ("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"));

        await _handler.HandleAsync(context);

        var stored = Assert.Single(_async.Stored).Event;
        Assert.Equal(clientContext, stored.ClientContext);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793", stored.TraceId);
    }

    [Fact]
    public async Task HandleAsync_EventStoreStillRunning_Not202Yet()
    {
        _async.Enabled = true;
        var context = Post("orders", "{}", ("X-Amz-Invocation-Type", "Event"));
        int? statusWhileStoring = null;
        _async.OnEnqueue = () => statusWhileStoring = context.Response.StatusCode;

        await _handler.HandleAsync(context);

        Assert.NotEqual(202, statusWhileStoring);
        Assert.Equal(202, context.Response.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_EventRedisFails_500ServiceExceptionAndNothingStored()
    {
        _async.Enabled = true;
        _async.Failure = new InvalidOperationException("No connection is active/available to service this operation");
        var context = Post("orders", "{}", ("X-Amz-Invocation-Type", "Event"));

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 500, "ServiceException", type: "Service");
        Assert.Contains(Header(context, "X-Amz-Request-Id"), error["message"], StringComparison.Ordinal);
        Assert.Empty(_async.Stored);
        Assert.Equal(0, _meters.Sum("lamina_invocations_total"));
        Assert.Equal(1, _meters.Sum("lamina_errors_total", ("error_type", "Service")));
    }

    [Fact]
    public async Task HandleAsync_EventOverTheAsyncLimit_413WithLambdasMessage()
    {
        _async.Enabled = true;
        var context = Post("orders", JsonString(AsyncOptions.DefaultMaximumPayload + 1), ("X-Amz-Invocation-Type", "Event"));

        await _handler.HandleAsync(context);

        var error = AssertServiceError(context, 413, "RequestEntityTooLargeException");
        Assert.Equal("262145 byte payload is too large for the Event invocation type (limit 262144 bytes)", error["message"]);
        Assert.Empty(_async.Stored);
    }

    [Fact]
    public async Task HandleAsync_EventAtTheConfiguredLimit_202()
    {
        _async.Enabled = true;
        _async.MaximumPayload = 1_048_576;
        var context = Post("orders", JsonString(1_048_576), ("X-Amz-Invocation-Type", "Event"));

        await _handler.HandleAsync(context);

        Assert.Equal(202, context.Response.StatusCode);
        Assert.Equal(1_048_576, Assert.Single(_async.Stored).Event.Payload.Length);
    }

    [Fact]
    public async Task HandleAsync_EventNotJson_400AndNothingStored()
    {
        _async.Enabled = true;
        var context = Post("orders", "{", ("X-Amz-Invocation-Type", "Event"));

        await _handler.HandleAsync(context);

        AssertServiceError(context, 400, "InvalidRequestContentException");
        Assert.Empty(_async.Stored);
    }

    [Theory]
    [InlineData("team-a.nothing", 404, "ResourceNotFoundException")]
    [InlineData("team-c.payroll", 403, "AccessDeniedException")]
    [InlineData("orders:3", 404, "ResourceNotFoundException")]
    [InlineData("bad name!", 400, "ValidationException")]
    public async Task HandleAsync_EventForAFunctionTheCallerCannotInvoke_SameAnswerAsSyncAndNothingStored(string functionName, int status, string exception)
    {
        _async.Enabled = true;
        var context = Post(functionName, "{}", ("X-Amz-Invocation-Type", "Event"));

        await _handler.HandleAsync(context);

        AssertServiceError(context, status, exception);
        Assert.Empty(_async.Stored);
    }

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

    // ---------------------------------------------------------------- metrics

    [Fact]
    public async Task HandleAsync_Success_CountsTheInvocationAndItsDurationWithFunctionLabelsOnly()
    {
        _router.OnInvoke = (_, _, _) => _time.Advance(TimeSpan.FromMilliseconds(250));

        await _handler.HandleAsync(Post("team-b.billing", "{}"));

        var invocation = Assert.Single(_meters.Of("lamina_invocations_total"));
        Assert.Equal(1, invocation.Value);
        Assert.Equal(Tags(("function", "billing"), ("invocation_type", "RequestResponse"), ("namespace", "team-b")), invocation.Tags);
        var duration = Assert.Single(_meters.Of("lamina_duration_seconds"));
        Assert.Equal(0.25, duration.Value, precision: 6);
        Assert.Equal(Tags(("function", "billing"), ("namespace", "team-b")), duration.Tags);
        Assert.Empty(_meters.Of("lamina_errors_total"));
        Assert.Empty(_meters.Of("lamina_throttles_total"));
    }

    [Theory]
    [InlineData("Handled")]
    [InlineData("Unhandled")]
    public async Task HandleAsync_FunctionError_CountedByErrorType(string functionError)
    {
        _router.Result = new RouteResult.Completed("{}"u8.ToArray(), functionError, LogResult: null);

        await _handler.HandleAsync(Post("orders", "{}"));

        var error = Assert.Single(_meters.Of("lamina_errors_total"));
        Assert.Equal(1, error.Value);
        Assert.Equal(Tags(("error_type", functionError), ("function", "orders"), ("namespace", "team-a")), error.Tags);
        Assert.Single(_meters.Of("lamina_invocations_total"));
        Assert.Single(_meters.Of("lamina_duration_seconds"));
    }

    [Fact]
    public async Task HandleAsync_QueueFull_CountedAsAThrottleByReason()
    {
        _router.Result = new RouteResult.QueueFull();

        await _handler.HandleAsync(Post("orders", "{}"));

        var throttle = Assert.Single(_meters.Of("lamina_throttles_total"));
        Assert.Equal(1, throttle.Value);
        Assert.Equal(Tags(("function", "orders"), ("namespace", "team-a"), ("reason", "ConcurrentInvocationLimitExceeded")), throttle.Tags);
        Assert.Empty(_meters.Of("lamina_errors_total"));
    }

    [Fact]
    public async Task HandleAsync_Throttled_CountedAsAThrottleByTheControllersReason()
    {
        _router.Result = new RouteResult.Throttled("ReservedFunctionConcurrentInvocationLimitExceeded", "Rate Exceeded.");

        await _handler.HandleAsync(Post("orders", "{}"));

        var throttle = Assert.Single(_meters.Of("lamina_throttles_total"));
        Assert.Equal(Tags(("function", "orders"), ("namespace", "team-a"), ("reason", "ReservedFunctionConcurrentInvocationLimitExceeded")), throttle.Tags);
        Assert.Empty(_meters.Of("lamina_errors_total"));
    }

    [Fact]
    public async Task HandleAsync_Failed_CountedAsAServiceError()
    {
        _router.Result = new RouteResult.Failed("cannot start");

        await _handler.HandleAsync(Post("orders", "{}"));

        var error = Assert.Single(_meters.Of("lamina_errors_total"));
        Assert.Equal(Tags(("error_type", "Service"), ("function", "orders"), ("namespace", "team-a")), error.Tags);
        Assert.Empty(_meters.Of("lamina_throttles_total"));
    }

    [Fact]
    public async Task HandleAsync_NoEnvironment_CountedAsAServiceError()
    {
        _router.Result = new RouteResult.NoEnvironment("none free");

        await _handler.HandleAsync(Post("orders", "{}"));

        var error = Assert.Single(_meters.Of("lamina_errors_total"));
        Assert.Equal(Tags(("error_type", "Service"), ("function", "orders"), ("namespace", "team-a")), error.Tags);
    }

    [Fact]
    public async Task HandleAsync_EnvironmentLost_CountedAsUnhandled()
    {
        _router.Result = new RouteResult.EnvironmentLost("the pod was deleted");

        await _handler.HandleAsync(Post("orders", "{}"));

        var error = Assert.Single(_meters.Of("lamina_errors_total"));
        Assert.Equal(Tags(("error_type", "Unhandled"), ("function", "orders"), ("namespace", "team-a")), error.Tags);
    }

    [Fact]
    public async Task HandleAsync_RouterThrows_CountedAsAServiceErrorWithItsDuration()
    {
        _router.OnInvoke = (_, _, _) => throw new InvalidOperationException("bug");

        await _handler.HandleAsync(Post("orders", "{}"));

        var error = Assert.Single(_meters.Of("lamina_errors_total"));
        Assert.Equal(Tags(("error_type", "Service"), ("function", "orders"), ("namespace", "team-a")), error.Tags);
        Assert.Single(_meters.Of("lamina_duration_seconds"));
    }

    public static TheoryData<string> UnrecordedRequests => new()
    {
        "unknown function",
        "unknown qualifier",
        "namespace not granted",
        "namespace not granted, function missing",
        "authentication denied",
        "invalid json",
        "dry run",
        "event",
        "too large",
    };

    [Theory]
    [MemberData(nameof(UnrecordedRequests))]
    public async Task HandleAsync_RequestThatInvokesNothing_RecordsNoMeasurement(string scenario)
    {
        var context = scenario switch
        {
            "unknown function" => Post("team-b.nothing", "{}"),
            "unknown qualifier" => Post("orders:3", "{}"),
            "namespace not granted" => Post("team-c.payroll", "{}"),
            "namespace not granted, function missing" => Post("team-c.nothing", "{}"),
            "invalid json" => Post("orders", "{"),
            "dry run" => Post("orders", "{}", ("X-Amz-Invocation-Type", "DryRun")),
            "event" => Post("orders", "{}", ("X-Amz-Invocation-Type", "Event")),
            "too large" => Post("orders", JsonString(InvokeHandler.MaximumPayload + 1)),
            _ => Post("orders", "{}"),
        };
        if (scenario == "authentication denied")
        {
            _authenticator.Result = new AuthResult.Denied("InvalidSignatureException", "no");
        }

        await _handler.HandleAsync(context);

        Assert.NotEqual(200, context.Response.StatusCode);
        Assert.Empty(_meters.All);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// An Invoke request as the server hands it over: the name percent-encoded as the AWS CLI sends it,
    /// then decoded by the server (<see cref="PathString.FromUriComponent(string)"/>), the body with its
    /// Content-Length.
    /// </summary>
    private static DefaultHttpContext Post(string functionName, string body, params (string Name, string Value)[] headers) =>
        Post(functionName, Encoding.UTF8.GetBytes(body), headers);

    private static DefaultHttpContext Post(string functionName, byte[] body, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = HttpMethods.Post;
        request.Path = PathString.FromUriComponent($"{InvokeHandler.PathPrefix}{Uri.EscapeDataString(functionName)}{InvokeHandler.PathSuffix}");
        request.ContentType = "application/json";
        request.ContentLength = body.Length;
        request.Body = new MemoryStream(body, writable: false);
        foreach (var (name, value) in headers)
        {
            if (name.Length > 0)
            {
                request.Headers[name] = value;
            }
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static byte[] JsonString(int totalBytes)
    {
        var body = new byte[totalBytes];
        body.AsSpan().Fill((byte)'a');
        body[0] = (byte)'"';
        body[^1] = (byte)'"';
        return body;
    }

    private static byte[] ResponseBytes(HttpContext context) => ((MemoryStream)context.Response.Body).ToArray();

    private static string ResponseText(HttpContext context) => Encoding.UTF8.GetString(ResponseBytes(context));

    private static string Header(HttpContext context, string name) => context.Response.Headers[name].ToString();

    private static Dictionary<string, string?> JsonFields(HttpContext context)
    {
        using var document = JsonDocument.Parse(ResponseBytes(context));
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.Ordinal);
    }

    /// <summary>Lambda's service error: the status, X-Amzn-ErrorType, and a body of Type, message (and Reason).</summary>
    private static Dictionary<string, string?> AssertServiceError(HttpContext context, int status, string exception, string type = "User")
    {
        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal(exception, Header(context, "X-Amzn-ErrorType"));
        Assert.Equal("application/json", context.Response.ContentType);
        var body = JsonFields(context);
        Assert.Equal(type, body["Type"]);
        Assert.False(string.IsNullOrEmpty(body["message"]));
        Assert.All(body.Keys, key => Assert.Contains(key, ServiceErrorFields));
        return body;
    }

    private static SortedDictionary<string, string?> Tags(params (string Key, string Value)[] tags)
    {
        var sorted = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            sorted[key] = value;
        }

        return sorted;
    }
}
