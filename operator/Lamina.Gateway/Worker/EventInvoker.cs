using Lamina.Contracts.Lambda;
using Lamina.Gateway.Async;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Worker;

/// <summary>
/// One attempt of a stored event: invokes it through <see cref="IInvocationRouter"/> exactly as a
/// synchronous call, maps the result to an <see cref="AttemptOutcome"/> and counts errors and throttles
/// in the invoke metrics. Logs under <see cref="AsyncWorker"/>'s category, as before the split.
/// </summary>
internal sealed partial class EventInvoker(IInvocationRouter router, InvokeMetrics invokeMetrics, ILogger<AsyncWorker> logger)
{
    private readonly IInvocationRouter _router = router;
    private readonly InvokeMetrics _invokeMetrics = invokeMetrics;
    private readonly ILogger<AsyncWorker> _logger = logger;

    public async Task<AttemptOutcome> InvokeAsync(FunctionKey function, AsyncEvent e, CancellationToken abort)
    {
        var request = new ShimRequest
        {
            RequestId = e.RequestId,
            Payload = e.Payload,
            ClientContext = e.ClientContext,
            TraceId = e.TraceId,
            InvocationType = LambdaInvokeApi.InvocationTypes.Event,
        };
        AttemptOutcome outcome;
        try
        {
            var result = await _router.InvokeAsync(function, request, abort).ConfigureAwait(false);
            outcome = AttemptOutcome.From(result, e.RequestId);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception failure)
        {
            // Any failure of the gateway's own is a system error of this attempt, retried with backoff.
            LogInvokeFailed(failure, function.Namespace, function.Name, e.RequestId);
            outcome = AttemptOutcome.GatewayFailed(e.RequestId);
        }

        switch (outcome.Kind)
        {
            case AttemptOutcomeKind.FunctionError:
                _invokeMetrics.Errored(function.Namespace, function.Name, outcome.FunctionError ?? LambdaInvokeApi.FunctionErrors.Unhandled);
                break;
            case AttemptOutcomeKind.Throttled:
                _invokeMetrics.Throttled(function.Namespace, function.Name, outcome.ThrottleReason ?? ThrottleReasons.Concurrency);
                break;
            case AttemptOutcomeKind.SystemError:
                _invokeMetrics.Errored(function.Namespace, function.Name, "Service");
                break;
            default:
                break;
        }

        return outcome;
    }
}
