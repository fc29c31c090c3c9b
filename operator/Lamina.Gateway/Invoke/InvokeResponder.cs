using Lamina.Contracts.Lambda;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Invoke;

/// <summary>
/// Turns what the router answered (<see cref="RouteResult"/>) into Lambda's response, and counts
/// the errors and throttles it reports.
/// </summary>
internal sealed class InvokeResponder(InvokeMetrics metrics)
{
    public async Task RespondAsync(HttpContext context, string ns, string name, string requestId, RouteResult result)
    {
        var response = context.Response;
        switch (result)
        {
            case RouteResult.Completed completed:
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/json";
                response.Headers[LambdaHeaders.ExecutedVersion] = LambdaInvokeApi.Latest;
                if (completed.FunctionError is { } functionError)
                {
                    response.Headers[LambdaHeaders.FunctionError] = functionError;
                    metrics.Errored(ns, name, functionError);
                }

                if (completed.LogResult is { } logResult)
                {
                    response.Headers[LambdaHeaders.LogResult] = logResult;
                }

                response.ContentLength = completed.Payload.Length;
                await response.Body.WriteAsync(completed.Payload, context.RequestAborted).ConfigureAwait(false);
                break;
            case RouteResult.Rejected rejected:
                // The shim refused the request itself (it checks what the gateway checks, and more):
                // its answer is already in Lambda's shape.
                response.StatusCode = rejected.StatusCode;
                response.ContentType = "application/json";
                if (rejected.ErrorType is { } errorType)
                {
                    response.Headers[LambdaHeaders.ErrorType] = errorType;
                }

                response.ContentLength = rejected.Body.Length;
                await response.Body.WriteAsync(rejected.Body, context.RequestAborted).ConfigureAwait(false);
                break;
            case RouteResult.QueueFull:
                metrics.Throttled(ns, name, ThrottleReasons.Concurrency);
                await LambdaErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, LambdaErrorCodes.TooManyRequests, LambdaErrorCodes.RateExceeded,
                    reason: ThrottleReasons.Concurrency, retryAfterSeconds: 1).ConfigureAwait(false);
                break;
            case RouteResult.Throttled throttled:
                // Every environment the limit allows was busy at that moment: a second is a fair retry.
                metrics.Throttled(ns, name, throttled.Reason);
                await LambdaErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, LambdaErrorCodes.TooManyRequests,
                    throttled.Message.Length > 0 ? throttled.Message : LambdaErrorCodes.RateExceeded, reason: throttled.Reason, retryAfterSeconds: 1).ConfigureAwait(false);
                break;
            case RouteResult.Failed failed:
                metrics.Errored(ns, name, "Service");
                await LambdaErrors.WriteAsync(context, StatusCodes.Status502BadGateway, LambdaErrorCodes.ResourceNotReady, failed.Message).ConfigureAwait(false);
                break;
            case RouteResult.NoEnvironment none:
                metrics.Errored(ns, name, "Service");
                await LambdaErrors.WriteAsync(context, StatusCodes.Status502BadGateway, LambdaErrorCodes.ResourceNotReady, none.Message).ConfigureAwait(false);
                break;
            case RouteResult.EnvironmentLost lost:
                // Lambda reports a sandbox that died mid-invocation as the function's unhandled error.
                metrics.Errored(ns, name, LambdaInvokeApi.FunctionErrors.Unhandled);
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/json";
                response.Headers[LambdaHeaders.ExecutedVersion] = LambdaInvokeApi.Latest;
                response.Headers[LambdaHeaders.FunctionError] = LambdaInvokeApi.FunctionErrors.Unhandled;
                var payload = LambdaErrors.EnvironmentLostDocument(requestId, lost.Message);
                response.ContentLength = payload.Length;
                await response.Body.WriteAsync(payload, context.RequestAborted).ConfigureAwait(false);
                break;
        }
    }
}
