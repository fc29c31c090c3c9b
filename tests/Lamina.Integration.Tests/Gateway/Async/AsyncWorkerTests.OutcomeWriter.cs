using System.Text.Json;
using Lamina.Gateway.Async;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Worker;
using Lamina.Testing;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>The attempt's outcome (<see cref="OutcomeWriter"/>): retried with the same request id, then delivered to a destination or dead-lettered.</summary>
public sealed partial class AsyncWorkerTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Worker_AlwaysFailingFunction_TriedOnePlusRetriesTimesWithTheSameRequestIdThenDeadLettered(int retries)
    {
        _catalog.Add(Orders.Namespace, Orders.Name, FunctionAsyncSettings.Default with { MaximumRetryAttempts = retries });
        _router.Behaviour = ScriptedRouter.Fail;
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);

        var requestId = await gateway.EnqueueAsync(Orders);

        var deadLetters = await gateway.DeadLettersAsync();
        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(Orders) == 1, Deadline, "the failed event is dead-lettered");
        Assert.Equal(1 + retries, _router.Calls.Count);
        Assert.All(_router.Calls, call => Assert.Equal(requestId, call.Request.RequestId));
        for (var i = 1; i < _router.Calls.Count; i++)
        {
            Assert.True(_router.Calls[i].At - _router.Calls[i - 1].At >= AsyncHarness.RetryDelay - TimeSpan.FromMilliseconds(5), "a retry waits its delay");
        }

        var entry = Assert.Single(await deadLetters.ListAsync(Orders, 10));
        Assert.Equal("RetriesExhausted", entry.Condition);
        Assert.Equal(requestId, entry.Event?.RequestId);
        using var record = JsonDocument.Parse(entry.Record);
        Assert.Equal("RetriesExhausted", record.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(1 + retries, record.RootElement.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal("Unhandled", record.RootElement.GetProperty("responseContext").GetProperty("functionError").GetString());
        Assert.Equal(0, await StreamLengthAsync(gateway, Orders));
        Assert.Equal(0, await (await gateway.DatabaseAsync()).SortedSetLengthAsync(AsyncKeys.Delayed(Orders)));
    }

    [Fact]
    public async Task Worker_FailingFunctionWithAnOnFailureDestination_ItsRecordIsAnEventOfTheDestination()
    {
        _catalog.Add(Orders.Namespace, Orders.Name, FunctionAsyncSettings.Default with { OnFailure = Failures.Name });
        _catalog.Add(Failures.Namespace, Failures.Name);
        _router.Behaviour = (function, request, token) => function == Orders ? ScriptedRouter.Fail(function, request, token) : ScriptedRouter.Succeed(function, request, token);
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);

        var requestId = await gateway.EnqueueAsync(Orders, """{"order":17}""");

        await Eventually.HoldsAsync(() => _router.CallsOf(Failures.Name).Count == 1, Deadline, "the record reaches the on-failure destination");
        Assert.Equal(3, _router.CallsOf(Orders.Name).Count);
        var delivered = _router.CallsOf(Failures.Name)[0].Request;
        Assert.NotEqual(requestId, delivered.RequestId);
        using var record = JsonDocument.Parse(delivered.Payload);
        var root = record.RootElement;
        Assert.Equal("1.0", root.GetProperty("version").GetString());
        Assert.Equal(requestId, root.GetProperty("requestContext").GetProperty("requestId").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:team-a.orders:$LATEST", root.GetProperty("requestContext").GetProperty("functionArn").GetString());
        Assert.Equal("RetriesExhausted", root.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(3, root.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(17, root.GetProperty("requestPayload").GetProperty("order").GetInt32());
        Assert.Equal("boom", root.GetProperty("responsePayload").GetProperty("errorMessage").GetString());
        await Eventually.HoldsAsync(async () => await StreamLengthAsync(gateway, Failures) == 0, Deadline, "the destination's event is done");
        Assert.Equal(0, await (await gateway.DeadLettersAsync()).CountAsync(Orders));
    }

    [Fact]
    public async Task Worker_SuccessWithAnOnSuccessDestination_ItsRecordIsAnEventOfTheDestination()
    {
        _catalog.Add(Orders.Namespace, Orders.Name, FunctionAsyncSettings.Default with { OnSuccess = Successes.Name });
        _catalog.Add(Successes.Namespace, Successes.Name);
        _router.Behaviour = ScriptedRouter.Succeed;
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        using var meters = new MetricCollectors(gateway.Meters);

        var requestId = await gateway.EnqueueAsync(Orders);

        await Eventually.HoldsAsync(() => _router.CallsOf(Successes.Name).Count == 1, Deadline, "the record reaches the on-success destination");
        using var record = JsonDocument.Parse(_router.CallsOf(Successes.Name)[0].Request.Payload);
        Assert.Equal("Success", record.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(requestId, record.RootElement.GetProperty("requestContext").GetProperty("requestId").GetString());
        Assert.True(record.RootElement.GetProperty("responsePayload").GetProperty("ok").GetBoolean());
        Assert.False(record.RootElement.GetProperty("responseContext").TryGetProperty("functionError", out _));
        Assert.Equal(1, meters.Sum(AsyncMetrics.EventsReceived, ("function", Orders.Name)));
        Assert.Equal(1, meters.Sum(AsyncMetrics.EventsReceived, ("function", Successes.Name)));
        Assert.Equal(0, meters.Sum(AsyncMetrics.EventsDropped));
    }

    [Fact]
    public async Task Worker_DestinationFunctionMissing_DeadLetteredAndCounted()
    {
        _catalog.Add(Orders.Namespace, Orders.Name, FunctionAsyncSettings.Default with { MaximumRetryAttempts = 0, OnFailure = "gone" });
        _router.Behaviour = ScriptedRouter.Fail;
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        using var meters = new MetricCollectors(gateway.Meters);

        await gateway.EnqueueAsync(Orders);

        var deadLetters = await gateway.DeadLettersAsync();
        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(Orders) == 1, Deadline, "the undeliverable record is dead-lettered");
        Assert.Equal(1, meters.Sum(AsyncMetrics.DestinationDeliveryFailures, ("namespace", Orders.Namespace), ("function", Orders.Name)));
        Assert.Equal(1, meters.Sum(AsyncMetrics.EventsDropped, ("function", Orders.Name), ("reason", "RetriesExhausted")));
        Assert.Equal(0, await StreamLengthAsync(gateway, new FunctionKey(Orders.Namespace, "gone")));
    }

    [Fact]
    public async Task Worker_ThrottledUntilTooOld_EventAgeExceeded()
    {
        _catalog.Add(Orders.Namespace, Orders.Name, FunctionAsyncSettings.Default with { MaximumEventAgeSeconds = 3, OnFailure = Failures.Name });
        _catalog.Add(Failures.Namespace, Failures.Name);
        _router.Behaviour = (function, request, token) => function == Orders
            ? Task.FromResult<RouteResult>(new RouteResult.Throttled(ThrottleReasons.ReservedConcurrency, "Rate Exceeded."))
            : ScriptedRouter.Succeed(function, request, token);
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        using var meters = new MetricCollectors(gateway.Meters);

        var requestId = await gateway.EnqueueAsync(Orders);

        await Eventually.HoldsAsync(() => _router.CallsOf(Failures.Name).Count == 1, Deadline, "the aged-out event's record reaches the destination");
        var attempts = _router.CallsOf(Orders.Name);
        Assert.True(attempts.Count >= 3, $"throttles are retried with backoff: {attempts.Count} attempts");
        Assert.All(attempts, call => Assert.Equal(requestId, call.Request.RequestId));
        using var record = JsonDocument.Parse(_router.CallsOf(Failures.Name)[0].Request.Payload);
        Assert.Equal("EventAgeExceeded", record.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(attempts.Count, record.RootElement.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(429, record.RootElement.GetProperty("responseContext").GetProperty("statusCode").GetInt32());
        Assert.Equal(1, meters.Sum(AsyncMetrics.EventsDropped, ("reason", "EventAgeExceeded")));
    }

    [Fact]
    public async Task Worker_UnknownFunction_RetriedUntilItAgesOutThenDeadLettered()
    {
        // The catalog may not know a function yet, or any more: never dropped at once.
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        var ghost = new FunctionKey("team-a", "ghost");
        var e = AsyncEvent.New(Guid.NewGuid().ToString("D"), "{}"u8.ToArray(), DateTimeOffset.UtcNow - TimeSpan.FromSeconds(21_598), null, null);

        await gateway.Queue.EnqueueAsync(ghost, e);

        var deadLetters = await gateway.DeadLettersAsync();
        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(ghost) == 1, Deadline, "the event ages out into the dead-letter stream");
        Assert.Empty(_router.Calls);
        var entry = Assert.Single(await deadLetters.ListAsync(ghost, 10));
        Assert.Equal("EventAgeExceeded", entry.Condition);
    }
}
