using System.Globalization;
using Lamina.Contracts.Lambda;
using Lamina.Gateway.Async;
using Lamina.Gateway.Auth;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Invoke;

/// <summary>
/// An Event invocation: stored durably (docs/async.md), then 202 with the request id the runtime
/// will see on every attempt. Never 202 for an event that was not stored: a failure is 500.
/// </summary>
/// <param name="asyncQueue">Where events are stored.</param>
/// <param name="metrics">The invoke metrics, shared with the synchronous path.</param>
/// <param name="time">The gateway's clock.</param>
/// <param name="logger">The invoke handler's: its messages keep their category and EventIds.</param>
/// <param name="accessLog">The access log's category (<see cref="AccessLog"/>).</param>
internal sealed partial class EventEnqueuer(IAsyncQueue asyncQueue, InvokeMetrics metrics, TimeProvider time, ILogger logger, ILogger accessLog)
{
    public async Task EnqueueAsync(HttpContext context, Caller caller, FunctionKey function, string requestId, ReadOnlyMemory<byte> body, string clientContext, long started)
    {
        if (!asyncQueue.Enabled)
        {
            // No Redis configured: say so rather than pretend with a 202 that queued nothing.
            await LambdaErrors.WriteAsync(context, StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue,
                $"Asynchronous invocation (X-Amz-Invocation-Type: Event) is off on this gateway: it has no Redis ({AsyncOptions.Section}:Redis); invoke with RequestResponse.").ConfigureAwait(false);
            return;
        }

        if (body.Length > asyncQueue.MaximumPayload)
        {
            await LambdaErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, LambdaErrorCodes.RequestEntityTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"{body.Length} byte payload is too large for the Event invocation type (limit {asyncQueue.MaximumPayload} bytes)")).ConfigureAwait(false);
            return;
        }

        if (!InvokeParameters.IsPayload(body.Span))
        {
            await LambdaErrors.WriteAsync(context, StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidRequestContent, InvokeParameters.InvalidJson).ConfigureAwait(false);
            return;
        }

        var headers = context.Request.Headers;
        var e = AsyncEvent.New(
            requestId,
            // A copy, not the pooled buffer: a command Redis has not written when the wait for it fails
            // may still be written later, after the buffer has gone back to the pool and to another
            // request (at most Lambda's 256 KiB Event payload, on the async path only).
            body.ToArray(),
            time.GetUtcNow(),
            clientContext.Length > 0 ? clientContext : null,
            headers[LambdaHeaders.TraceId] is { Count: > 0 } trace ? trace.ToString() : null);
        try
        {
            await asyncQueue.EnqueueAsync(function, e).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            LogNotQueued(logger, failure, function.Namespace, function.Name, requestId);
            metrics.Errored(function.Namespace, function.Name, "Service");
            await LambdaErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, LambdaErrorCodes.Service,
                $"RequestId: {requestId}: the event could not be stored, so it was not queued; invoke again.").ConfigureAwait(false);
            AccessLog.Invoked(accessLog, caller.Identity, function.Namespace, function.Name, requestId, context.Response.StatusCode, time.GetElapsedTime(started).TotalMilliseconds);
            return;
        }

        metrics.Invoked(function.Namespace, function.Name, LambdaInvokeApi.InvocationTypes.Event);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
        AccessLog.Invoked(accessLog, caller.Identity, function.Namespace, function.Name, requestId, context.Response.StatusCode, time.GetElapsedTime(started).TotalMilliseconds);
    }
}
