using System.Globalization;
using System.Text;
using Lamina.Contracts.Json;
using Lamina.Contracts.Lambda;
using Lamina.Contracts.Shim;
using Lamina.RuntimeShim.Execution;
using Lamina.RuntimeShim.Http;

namespace Lamina.RuntimeShim.Invoke;

/// <summary>
/// The invoke side of the shim: the gateway's contract (<see cref="ShimInvokeContract.Path"/>) and the
/// RIE-compatible Lambda path, both turned into one <see cref="InvocationRequest"/> for the environment.
/// </summary>
internal sealed class InvokeHandler(ExecutionEnvironment environment, TimeProvider time, bool rieEnabled = false, InvokeTokens? tokens = null)
{
    private readonly InvokeTokens _tokens = tokens ?? InvokeTokens.None;

    private static readonly byte[] EmptyEvent = "{}"u8.ToArray();

    // Lambda gives a runtime 10 s to initialise before the first invocation's own timeout starts.
    private static readonly TimeSpan InitAllowance = TimeSpan.FromSeconds(10);

    public Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (path == ShimInvokeContract.Path)
        {
            return context.Request.Method == HttpMethods.Post ? ContractAsync(context) : MethodNotAllowedAsync(context);
        }

        // RIE's path is the local emulator's: in a function pod it would let anything that reaches the
        // pod invoke the function past the gateway (and its authentication and concurrency cap).
        if (rieEnabled && path.StartsWith(LambdaInvokeApi.PathPrefix, StringComparison.Ordinal) && path.EndsWith(LambdaInvokeApi.PathSuffix, StringComparison.Ordinal)
            && path.Length > LambdaInvokeApi.PathPrefix.Length + LambdaInvokeApi.PathSuffix.Length)
        {
            return context.Request.Method == HttpMethods.Post ? RieAsync(context) : MethodNotAllowedAsync(context);
        }

        return ServiceErrorAsync(context, StatusCodes.Status404NotFound, LambdaErrorCodes.ResourceNotFound, rieEnabled
            ? $"No route for {path}: invoke with POST {ShimInvokeContract.Path} or POST /2015-03-31/functions/function/invocations."
            : $"No route for {path}: invoke with POST {ShimInvokeContract.Path} (the Lambda path is served in --local mode only).");
    }

    // ---------------------------------------------------------------- the gateway's contract

    private async Task ContractAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (!_tokens.Accepts(headers[ShimInvokeContract.Headers.Token].ToString()))
        {
            // Before the body is read or anything runs: only gateways get in (past SigV4 and the cap).
            context.Response.Headers[ShimInvokeContract.Headers.Status] = ShimInvokeContract.Statuses.Rejected;
            await ServiceErrorAsync(context, StatusCodes.Status401Unauthorized, "UnauthorizedCallerException",
                "Only Lamina gateways may invoke this environment: invoke the function through a gateway (the invoke contract needs the token of the operator's Secret lamina-invoke-token in the Lamina-Token header).").ConfigureAwait(false);
            return;
        }

        var parsed = await ParseAsync(
            context,
            headers[ShimInvokeContract.Headers.RequestId].ToString(),
            headers[ShimInvokeContract.Headers.ClientContext].ToString(),
            headers[ShimInvokeContract.Headers.CognitoIdentity].ToString(),
            headers[ShimInvokeContract.Headers.TraceId].ToString(),
            headers[ShimInvokeContract.Headers.DeadlineMs].ToString(),
            headers[ShimInvokeContract.Headers.InvocationType].ToString()).ConfigureAwait(false);
        if (parsed.Error is { } error)
        {
            context.Response.Headers[ShimInvokeContract.Headers.Status] = ShimInvokeContract.Statuses.Rejected;
            await ServiceErrorAsync(context, error.Status, error.Exception, error.Message).ConfigureAwait(false);
            return;
        }

        var outcome = await environment.InvokeAsync(parsed.Request!, waitForInit: false, context.RequestAborted).ConfigureAwait(false);
        var response = context.Response;
        switch (outcome)
        {
            case InvokeOutcome.Busy:
                response.Headers[ShimInvokeContract.Headers.Status] = ShimInvokeContract.Statuses.Busy;
                await ServiceErrorAsync(context, StatusCodes.Status429TooManyRequests, "EnvironmentBusyException", "This environment is running another invocation.").ConfigureAwait(false);
                return;
            case InvokeOutcome.Unavailable unavailable:
                response.Headers[ShimInvokeContract.Headers.Status] = ShimInvokeContract.Statuses.Unavailable;
                await ServiceErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "EnvironmentUnavailableException", $"This environment cannot take invocations: {unavailable.Reason}.").ConfigureAwait(false);
                return;
            case InvokeOutcome.Completed completed:
                var result = completed.Result;
                var responseHeaders = response.Headers;
                responseHeaders[ShimInvokeContract.Headers.Status] = ShimInvokeContract.Statuses.Completed;
                responseHeaders[ShimInvokeContract.Headers.RequestId] = result.RequestId;
                responseHeaders[ShimInvokeContract.Headers.ColdStart] = result.ColdStart ? "true" : "false";
                responseHeaders[ShimInvokeContract.Headers.DurationMs] = Milliseconds(result.Duration);
                if (result.InitDuration is { } init)
                {
                    responseHeaders[ShimInvokeContract.Headers.InitDurationMs] = Milliseconds(init);
                }

                if (result.FunctionError is not null)
                {
                    responseHeaders[ShimInvokeContract.Headers.FunctionError] = result.FunctionError;
                    responseHeaders[ShimInvokeContract.Headers.FunctionErrorType] = result.ErrorType;
                }

                if (IsTail(headers[ShimInvokeContract.Headers.LogType].ToString()))
                {
                    responseHeaders[ShimInvokeContract.Headers.LogResult] = Convert.ToBase64String(result.LogTail.Span);
                }

                await WriteResultAsync(context, result).ConfigureAwait(false);
                return;
        }
    }

    // ---------------------------------------------------------------- RIE's path

    private async Task RieAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var invocationType = headers[LambdaHeaders.InvocationType].ToString();
        if (invocationType.Length > 0 && invocationType != LambdaInvokeApi.InvocationTypes.RequestResponse && invocationType != LambdaInvokeApi.InvocationTypes.DryRun)
        {
            await ServiceErrorAsync(context, StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue,
                $"X-Amz-Invocation-Type '{invocationType}' is not supported here: the local emulator runs RequestResponse and DryRun invocations.").ConfigureAwait(false);
            return;
        }

        var logType = headers[LambdaHeaders.LogType].ToString();
        if (logType.Length > 0 && logType != LambdaInvokeApi.LogTypes.None && logType != LambdaInvokeApi.LogTypes.Tail)
        {
            await ServiceErrorAsync(context, StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue, $"X-Amz-Log-Type '{logType}' must be None or Tail.").ConfigureAwait(false);
            return;
        }

        var parsed = await ParseAsync(context, requestId: string.Empty, headers[LambdaHeaders.ClientContext].ToString(), cognitoIdentity: string.Empty,
            headers[LambdaHeaders.TraceId].ToString(), deadline: string.Empty, LambdaInvokeApi.InvocationTypes.RequestResponse).ConfigureAwait(false);
        if (parsed.Error is { } error)
        {
            await ServiceErrorAsync(context, error.Status, error.Exception, error.Message).ConfigureAwait(false);
            return;
        }

        if (invocationType == LambdaInvokeApi.InvocationTypes.DryRun)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        // Like RIE, a request that arrives while the runtime initialises waits for it.
        using var initLimit = new CancellationTokenSource(environment.Options.Timeout + InitAllowance, time);
        using var initWait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, initLimit.Token);
        InvokeOutcome outcome;
        try
        {
            outcome = await environment.InvokeAsync(parsed.Request!, waitForInit: true, initWait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            outcome = new InvokeOutcome.Unavailable("the runtime did not initialise in time");
        }

        switch (outcome)
        {
            case InvokeOutcome.Busy:
                await ServiceErrorAsync(context, StatusCodes.Status429TooManyRequests, LambdaErrorCodes.TooManyRequests, LambdaErrorCodes.RateExceeded,
                    reason: "ReservedFunctionConcurrentInvocationLimitExceeded").ConfigureAwait(false);
                return;
            case InvokeOutcome.Unavailable unavailable:
                await ServiceErrorAsync(context, StatusCodes.Status502BadGateway, LambdaErrorCodes.ResourceNotReady, $"The function cannot take invocations: {unavailable.Reason}.").ConfigureAwait(false);
                return;
            case InvokeOutcome.Completed completed:
                var result = completed.Result;
                var responseHeaders = context.Response.Headers;
                responseHeaders[LambdaHeaders.RequestId] = result.RequestId;
                responseHeaders[LambdaHeaders.ExecutedVersion] = environment.Options.Version;
                if (result.FunctionError is not null)
                {
                    responseHeaders[LambdaHeaders.FunctionError] = result.FunctionError;
                }

                if (logType == LambdaInvokeApi.LogTypes.Tail)
                {
                    responseHeaders[LambdaHeaders.LogResult] = Convert.ToBase64String(result.LogTail.Span);
                }

                await WriteResultAsync(context, result).ConfigureAwait(false);
                return;
        }
    }

    // ---------------------------------------------------------------- shared

    private readonly record struct BadRequest(int Status, string Exception, string Message);

    private readonly record struct Parsed(InvocationRequest? Request, BadRequest? Error);

    private static async Task<Parsed> ParseAsync(HttpContext context, string requestId, string clientContext, string cognitoIdentity, string traceId, string deadline, string invocationType)
    {
        if (clientContext.Length > LambdaInvokeApi.MaximumClientContextLength)
        {
            return Reject(StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue, $"Client context must be at most {LambdaInvokeApi.MaximumClientContextLength} bytes (base64).");
        }

        string? decodedClientContext = null;
        if (clientContext.Length > 0)
        {
            var bytes = new byte[clientContext.Length];
            if (!Convert.TryFromBase64String(clientContext, bytes, out var written) || !JsonPayload.IsValid(bytes.AsSpan(0, written)))
            {
                return Reject(StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue, "Client context must be base64-encoded JSON.");
            }

            decodedClientContext = Encoding.UTF8.GetString(bytes, 0, written);
        }

        DateTimeOffset? callerDeadline = null;
        if (deadline.Length > 0)
        {
            if (!long.TryParse(deadline, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds > 253402300799999)
            {
                return Reject(StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue, $"{ShimInvokeContract.Headers.DeadlineMs} must be Unix epoch milliseconds.");
            }

            callerDeadline = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        }

        if (requestId.Length > 0 && !IsValidRequestId(requestId))
        {
            return Reject(StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue, $"{ShimInvokeContract.Headers.RequestId} must be 1 to 64 letters, digits or dashes.");
        }

        if (cognitoIdentity.Length > 0 && !JsonPayload.IsValid(Encoding.UTF8.GetBytes(cognitoIdentity)))
        {
            return Reject(StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue, $"{ShimInvokeContract.Headers.CognitoIdentity} must be JSON.");
        }

        if (invocationType.Length > 0 && invocationType != LambdaInvokeApi.InvocationTypes.RequestResponse && invocationType != LambdaInvokeApi.InvocationTypes.Event)
        {
            return Reject(StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue, $"{ShimInvokeContract.Headers.InvocationType} must be RequestResponse or Event.");
        }

        byte[]? payload;
        try
        {
            payload = await RequestBody.ReadAsync(context.Request, PayloadLimits.Request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or BadHttpRequestException)
        {
            return Reject(StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidRequestContent, $"The request body could not be read: {e.Message}");
        }

        if (payload is null)
        {
            return Reject(StatusCodes.Status413PayloadTooLarge, LambdaErrorCodes.RequestTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"Request must be smaller than {PayloadLimits.Request} bytes for the InvokeFunction operation"));
        }

        if (payload.Length == 0)
        {
            payload = EmptyEvent; // the AWS CLI without --payload sends nothing; Lambda gives the function {}.
        }
        else if (!JsonPayload.IsValid(payload))
        {
            return Reject(StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidRequestContent, "Could not parse request body into json: the payload is not valid JSON.");
        }

        return new Parsed(new InvocationRequest
        {
            RequestId = requestId.Length > 0 ? requestId : Guid.NewGuid().ToString("D"),
            Payload = payload,
            Deadline = callerDeadline,
            ClientContext = decodedClientContext,
            CognitoIdentity = cognitoIdentity.Length > 0 ? cognitoIdentity : null,
            TraceId = traceId.Length > 0 ? traceId : null,
            InvocationType = invocationType.Length > 0 ? invocationType : LambdaInvokeApi.InvocationTypes.RequestResponse,
        }, null);

        static Parsed Reject(int status, string exception, string message) => new(null, new BadRequest(status, exception, message));
    }

    private static bool IsValidRequestId(string requestId)
    {
        if (requestId.Length > 64)
        {
            return false;
        }

        foreach (var c in requestId)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsTail(string logType) => logType == LambdaInvokeApi.LogTypes.Tail;

    private static Task WriteResultAsync(HttpContext context, InvocationResult result)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = result.Payload.Length;
        return response.Body.WriteAsync(result.Payload, context.RequestAborted).AsTask();
    }

    private static Task MethodNotAllowedAsync(HttpContext context)
    {
        context.Response.Headers.Allow = HttpMethods.Post;
        return ServiceErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "InvalidRequestException", $"{context.Request.Method} is not allowed: invoke with POST.");
    }

    internal static Task ServiceErrorAsync(HttpContext context, int status, string exception, string message, string? reason = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers[LambdaHeaders.ErrorType] = exception;
        var body = new ServiceError(status >= 500 ? "Service" : "User", message) { Reason = reason }.ToUtf8Json();
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static string Milliseconds(TimeSpan duration) => duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
}
