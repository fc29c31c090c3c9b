using Lamina.Contracts.Lambda;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Async;

/// <summary>
/// One attempt's result, in the terms of the destination record's <c>responseContext</c>: the status a
/// synchronous caller would have seen, the function error if any, and the response body.
/// </summary>
internal sealed record AttemptOutcome(AttemptOutcomeKind Kind, int StatusCode, string? FunctionError, ReadOnlyMemory<byte> Response)
{
    /// <summary>A throttle's reason (<see cref="ThrottleReasons"/>), as the throttle metric and its alerts tell them apart; null for any other outcome.</summary>
    public string? ThrottleReason { get; init; }

    /// <summary>What the router's answer means for an async event, mapped as InvokeHandler maps it for sync callers.</summary>
    public static AttemptOutcome From(RouteResult result, string requestId)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result switch
        {
            RouteResult.Completed { FunctionError: null } completed => new(AttemptOutcomeKind.Success, 200, null, completed.Payload),
            RouteResult.Completed completed => new(AttemptOutcomeKind.FunctionError, 200, completed.FunctionError, completed.Payload),
            // Lambda reports a sandbox that died mid-invocation as the function's unhandled error.
            RouteResult.EnvironmentLost lost => new(AttemptOutcomeKind.FunctionError, 200, LambdaInvokeApi.FunctionErrors.Unhandled,
                LambdaErrors.EnvironmentLostDocument(requestId, lost.Message)),
            RouteResult.Rejected rejected => new(AttemptOutcomeKind.Rejected, rejected.StatusCode, null, rejected.Body),
            RouteResult.QueueFull => Throttle(LambdaErrorCodes.RateExceeded, ThrottleReasons.Concurrency),
            RouteResult.Throttled throttled => Throttle(throttled.Message.Length > 0 ? throttled.Message : LambdaErrorCodes.RateExceeded, throttled.Reason),
            RouteResult.Failed failed => System(502, LambdaErrorCodes.ResourceNotReady, failed.Message),
            RouteResult.NoEnvironment none => System(502, LambdaErrorCodes.ResourceNotReady, none.Message),
            _ => System(500, LambdaErrorCodes.Service, $"unexpected routing result {result.GetType().Name}"),
        };
    }

    /// <summary>The gateway failed while running the attempt (an exception, not an answer).</summary>
    public static AttemptOutcome GatewayFailed(string requestId) =>
        System(500, LambdaErrorCodes.Service, $"RequestId: {requestId}: the gateway failed while running the invocation.");

    /// <summary>The catalog knows no such function (deleted, or not seen yet): retried like a system error until the event ages out.</summary>
    public static AttemptOutcome FunctionNotFound(string functionArn) =>
        System(404, LambdaErrorCodes.ResourceNotFound, $"Function not found: {functionArn}");

    private static AttemptOutcome Throttle(string message, string reason) =>
        new(AttemptOutcomeKind.Throttled, 429, null, LambdaErrors.FunctionErrorDocument(message, LambdaErrorCodes.TooManyRequests)) { ThrottleReason = reason };

    private static AttemptOutcome System(int status, string exception, string message) =>
        new(AttemptOutcomeKind.SystemError, status, null, LambdaErrors.FunctionErrorDocument(message, exception));
}
