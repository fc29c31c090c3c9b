using System.Text;
using System.Text.Json;
using Lamina.Gateway.Async;
using Lamina.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Gateway.Tests.Async;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class DestinationRecordTests
{
    private const string Arn = "arn:aws:lambda:us-east-1:000000000000:function:team-a.orders";
    private const string RequestId = "e4b46cbf-b738-4a4c-8880-a18cdf61200e";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 14, 18, 16, 5, 568, TimeSpan.Zero));

    [Fact]
    public void ToUtf8Json_RetriesExhausted_LambdasRecordFormat()
    {
        var e = Event("""{"ORDER_IDS":["9e07af03-ce31-4ff3-xmpl-36dce652cb4f"]}""")
            .After(new AttemptOutcome(AttemptOutcomeKind.FunctionError, 200, "Unhandled", """{"errorMessage":"RequestId: e4b46cbf Process exited before completing request"}"""u8.ToArray()))
            .After(new AttemptOutcome(AttemptOutcomeKind.FunctionError, 200, "Unhandled", """{"errorMessage":"RequestId: e4b46cbf Process exited before completing request"}"""u8.ToArray()))
            .After(new AttemptOutcome(AttemptOutcomeKind.FunctionError, 200, "Unhandled", """{"errorMessage":"RequestId: e4b46cbf Process exited before completing request"}"""u8.ToArray()));

        var json = Encoding.UTF8.GetString(DestinationRecord.Create(e, AsyncCondition.RetriesExhausted, Arn, _time.GetUtcNow()).ToUtf8Json());

        Assert.Equal(
            """{"version":"1.0","timestamp":"2026-03-14T18:16:05.568Z","requestContext":{"requestId":"e4b46cbf-b738-4a4c-8880-a18cdf61200e","functionArn":"arn:aws:lambda:us-east-1:000000000000:function:team-a.orders:$LATEST","condition":"RetriesExhausted","approximateInvokeCount":3},"requestPayload":{"ORDER_IDS":["9e07af03-ce31-4ff3-xmpl-36dce652cb4f"]},"responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},"responsePayload":{"errorMessage":"RequestId: e4b46cbf Process exited before completing request"}}""",
            json);
    }

    [Fact]
    public void ToUtf8Json_Success_NoFunctionErrorAndTheResult()
    {
        var e = Event("""{"n":1}""").After(new AttemptOutcome(AttemptOutcomeKind.Success, 200, null, """{"total":1.50e0}"""u8.ToArray()));

        using var record = Parse(DestinationRecord.Create(e, AsyncCondition.Success, Arn, _time.GetUtcNow()));

        var root = record.RootElement;
        Assert.Equal("Success", root.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(1, root.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        var response = root.GetProperty("responseContext");
        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("$LATEST", response.GetProperty("executedVersion").GetString());
        Assert.False(response.TryGetProperty("functionError", out _));
        // The function's bytes as it wrote them, not re-serialised numbers.
        Assert.Equal("""{"total":1.50e0}""", root.GetProperty("responsePayload").GetRawText());
    }

    [Fact]
    public void ToUtf8Json_AgedOutBeforeAnyAttempt_NoResponseContext()
    {
        using var record = Parse(DestinationRecord.Create(Event("{}"), AsyncCondition.EventAgeExceeded, Arn, _time.GetUtcNow()));

        var root = record.RootElement;
        Assert.Equal("EventAgeExceeded", root.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(0, root.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.False(root.TryGetProperty("responseContext", out _));
        Assert.False(root.TryGetProperty("responsePayload", out _));
    }

    [Fact]
    public void ToUtf8Json_AgedOutWhileThrottled_TheLastThrottleIsTheResponse()
    {
        var e = Event("{}").After(AttemptOutcome.From(new Lamina.Gateway.Routing.RouteResult.QueueFull(), RequestId));

        using var record = Parse(DestinationRecord.Create(e, AsyncCondition.EventAgeExceeded, Arn, _time.GetUtcNow()));

        var root = record.RootElement;
        Assert.Equal(429, root.GetProperty("responseContext").GetProperty("statusCode").GetInt32());
        Assert.Equal("TooManyRequestsException", root.GetProperty("responsePayload").GetProperty("errorType").GetString());
    }

    [Fact]
    public void ToUtf8Json_ResponseNotJson_ItsTextAsAJsonString()
    {
        var e = Event("{}").After(new AttemptOutcome(AttemptOutcomeKind.Success, 200, null, "plain text, not json"u8.ToArray()));

        using var record = Parse(DestinationRecord.Create(e, AsyncCondition.Success, Arn, _time.GetUtcNow()));

        Assert.Equal("plain text, not json", record.RootElement.GetProperty("responsePayload").GetString());
    }

    [Fact]
    public void ToUtf8Json_TwoJsonValuesInTheResponse_ItsTextAsAJsonString()
    {
        var e = Event("{}").After(new AttemptOutcome(AttemptOutcomeKind.Success, 200, null, "1 2"u8.ToArray()));

        using var record = Parse(DestinationRecord.Create(e, AsyncCondition.Success, Arn, _time.GetUtcNow()));

        Assert.Equal("1 2", record.RootElement.GetProperty("responsePayload").GetString());
    }

    [Fact]
    public void ToUtf8Json_EmptyPayloadAndResponse_Nulls()
    {
        var e = Event("").After(new AttemptOutcome(AttemptOutcomeKind.Success, 200, null, ReadOnlyMemory<byte>.Empty));

        using var record = Parse(DestinationRecord.Create(e, AsyncCondition.Success, Arn, _time.GetUtcNow()));

        Assert.Equal(JsonValueKind.Null, record.RootElement.GetProperty("requestPayload").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.RootElement.GetProperty("responsePayload").ValueKind);
    }

    [Fact]
    public void Parse_ARecordItWrote_SameRecord()
    {
        var e = Event("""{"a":[1,2]}""").After(new AttemptOutcome(AttemptOutcomeKind.FunctionError, 200, "Handled", """{"errorType":"E"}"""u8.ToArray()));
        var written = DestinationRecord.Create(e, AsyncCondition.RetriesExhausted, Arn, _time.GetUtcNow());

        var read = DestinationRecord.Parse(written.ToUtf8Json());

        Assert.NotNull(read);
        Assert.Equal(written.RequestContext, read.RequestContext);
        Assert.Equal(written.ResponseContext, read.ResponseContext);
        Assert.Equal(written.ToUtf8Json(), read.ToUtf8Json());
    }

    [Fact]
    public void Parse_NotARecord_Null()
    {
        Assert.Null(DestinationRecord.Parse("not json"u8));
    }

    private AsyncEvent Event(string payload) => AsyncEvent.New(RequestId, Encoding.UTF8.GetBytes(payload), _time.GetUtcNow(), null, null);

    private static JsonDocument Parse(DestinationRecord record) => JsonDocument.Parse(record.ToUtf8Json());
}
