using System.Text;
using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Invoke;

/// <summary>Event invocations (EventEnqueuer): stored, then 202; never 202 for an event that was not stored.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvokeHandlerEventTests : InvokeHandlerTestsBase
{
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
}
