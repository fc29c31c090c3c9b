using System.Globalization;
using System.Text;
using System.Text.Json;
using Lamina.RuntimeShim.Execution;
using Lamina.RuntimeShim.Http;

namespace Lamina.RuntimeShim.Invoke;

/// <summary>
/// The invoke side of the shim: the gateway's contract (<see cref="InvokeContract.Path"/>) and the
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
        if (path == InvokeContract.Path)
        {
            return context.Request.Method == HttpMethods.Post ? ContractAsync(context) : MethodNotAllowedAsync(context);
        }

        // RIE's path is the local emulator's: in a function pod it would let anything that reaches the
        // pod invoke the function past the gateway (and its authentication and concurrency cap).
        if (rieEnabled && path.StartsWith(InvokeContract.RiePrefix, StringComparison.Ordinal) && path.EndsWith(InvokeContract.RieSuffix, StringComparison.Ordinal)
            && path.Length > InvokeContract.RiePrefix.Length + InvokeContract.RieSuffix.Length)
        {
            return context.Request.Method == HttpMethods.Post ? RieAsync(context) : MethodNotAllowedAsync(context);
        }

        return ServiceErrorAsync(context, StatusCodes.Status404NotFound, "ResourceNotFoundException", rieEnabled
            ? $"No route for {path}: invoke with POST {InvokeContract.Path} or POST /2015-03-31/functions/function/invocations."
            : $"No route for {path}: invoke with POST {InvokeContract.Path} (the Lambda path is served in --local mode only).");
    }

    // ---------------------------------------------------------------- the gateway's contract

    private async Task ContractAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (!_tokens.Accepts(headers[InvokeContract.Token].ToString()))
        {
            // Before the body is read or anything runs: only gateways get in (past SigV4 and the cap).
            context.Response.Headers[InvokeContract.Status] = InvokeContract.Statuses.Rejected;
            await ServiceErrorAsync(context, StatusCodes.Status401Unauthorized, "UnauthorizedCallerException",
                "Only Lamina gateways may invoke this environment: invoke the function through a gateway (the invoke contract needs the token of the operator's Secret lamina-invoke-token in the Lamina-Token header).").ConfigureAwait(false);
            return;
        }

        var parsed = await ParseAsync(
            context,
            headers[InvokeContract.RequestId].ToString(),
            headers[InvokeContract.ClientContext].ToString(),
            headers[InvokeContract.CognitoIdentity].ToString(),
            headers[InvokeContract.TraceId].ToString(),
            headers[InvokeContract.DeadlineMs].ToString(),
            headers[InvokeContract.InvocationType].ToString()).ConfigureAwait(false);
        if (parsed.Error is { } error)
        {
            context.Response.Headers[InvokeContract.Status] = InvokeContract.Statuses.Rejected;
            await ServiceErrorAsync(context, error.Status, error.Exception, error.Message).ConfigureAwait(false);
            return;
        }

        var outcome = await environment.InvokeAsync(parsed.Request!, waitForInit: false, context.RequestAborted).ConfigureAwait(false);
        var response = context.Response;
        switch (outcome)
        {
            case InvokeOutcome.Busy:
                response.Headers[InvokeContract.Status] = InvokeContract.Statuses.Busy;
                await ServiceErrorAsync(context, StatusCodes.Status429TooManyRequests, "EnvironmentBusyException", "This environment is running another invocation.").ConfigureAwait(false);
                return;
            case InvokeOutcome.Unavailable unavailable:
                response.Headers[InvokeContract.Status] = InvokeContract.Statuses.Unavailable;
                await ServiceErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "EnvironmentUnavailableException", $"This environment cannot take invocations: {unavailable.Reason}.").ConfigureAwait(false);
                return;
            case InvokeOutcome.Completed completed:
                var result = completed.Result;
                var responseHeaders = response.Headers;
                responseHeaders[InvokeContract.Status] = InvokeContract.Statuses.Completed;
                responseHeaders[InvokeContract.RequestId] = result.RequestId;
                responseHeaders[InvokeContract.ColdStart] = result.ColdStart ? "true" : "false";
                responseHeaders[InvokeContract.DurationMs] = Milliseconds(result.Duration);
                if (result.InitDuration is { } init)
                {
                    responseHeaders[InvokeContract.InitDurationMs] = Milliseconds(init);
                }

                if (result.FunctionError is not null)
                {
                    responseHeaders[InvokeContract.FunctionError] = result.FunctionError;
                    responseHeaders[InvokeContract.ErrorType] = result.ErrorType;
                }

                if (IsTail(headers[InvokeContract.LogType].ToString()))
                {
                    responseHeaders[InvokeContract.LogResult] = Convert.ToBase64String(result.LogTail.Span);
                }

                await WriteResultAsync(context, result).ConfigureAwait(false);
                return;
        }
    }

    // ---------------------------------------------------------------- RIE's path

    private async Task RieAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var invocationType = headers["X-Amz-Invocation-Type"].ToString();
        if (invocationType.Length > 0 && invocationType != "RequestResponse" && invocationType != "DryRun")
        {
            await ServiceErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidParameterValueException",
                $"X-Amz-Invocation-Type '{invocationType}' is not supported here: the local emulator runs RequestResponse and DryRun invocations.").ConfigureAwait(false);
            return;
        }

        var logType = headers["X-Amz-Log-Type"].ToString();
        if (logType.Length > 0 && logType != "None" && logType != "Tail")
        {
            await ServiceErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidParameterValueException", $"X-Amz-Log-Type '{logType}' must be None or Tail.").ConfigureAwait(false);
            return;
        }

        var parsed = await ParseAsync(context, requestId: string.Empty, headers["X-Amz-Client-Context"].ToString(), cognitoIdentity: string.Empty,
            headers["X-Amzn-Trace-Id"].ToString(), deadline: string.Empty, InvocationTypes.RequestResponse).ConfigureAwait(false);
        if (parsed.Error is { } error)
        {
            await ServiceErrorAsync(context, error.Status, error.Exception, error.Message).ConfigureAwait(false);
            return;
        }

        if (invocationType == "DryRun")
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
                await ServiceErrorAsync(context, StatusCodes.Status429TooManyRequests, "TooManyRequestsException", "Rate Exceeded.",
                    reason: "ReservedFunctionConcurrentInvocationLimitExceeded").ConfigureAwait(false);
                return;
            case InvokeOutcome.Unavailable unavailable:
                await ServiceErrorAsync(context, StatusCodes.Status502BadGateway, "ResourceNotReadyException", $"The function cannot take invocations: {unavailable.Reason}.").ConfigureAwait(false);
                return;
            case InvokeOutcome.Completed completed:
                var result = completed.Result;
                var responseHeaders = context.Response.Headers;
                responseHeaders["X-Amz-Request-Id"] = result.RequestId;
                responseHeaders["X-Amz-Executed-Version"] = environment.Options.Version;
                if (result.FunctionError is not null)
                {
                    responseHeaders["X-Amz-Function-Error"] = result.FunctionError;
                }

                if (logType == "Tail")
                {
                    responseHeaders["X-Amz-Log-Result"] = Convert.ToBase64String(result.LogTail.Span);
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
        if (clientContext.Length > InvokeContract.MaximumClientContextLength)
        {
            return Reject(StatusCodes.Status400BadRequest, "InvalidParameterValueException", $"Client context must be at most {InvokeContract.MaximumClientContextLength} bytes (base64).");
        }

        string? decodedClientContext = null;
        if (clientContext.Length > 0)
        {
            var bytes = new byte[clientContext.Length];
            if (!Convert.TryFromBase64String(clientContext, bytes, out var written) || !IsJson(bytes.AsSpan(0, written)))
            {
                return Reject(StatusCodes.Status400BadRequest, "InvalidParameterValueException", "Client context must be base64-encoded JSON.");
            }

            decodedClientContext = Encoding.UTF8.GetString(bytes, 0, written);
        }

        DateTimeOffset? callerDeadline = null;
        if (deadline.Length > 0)
        {
            if (!long.TryParse(deadline, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds > 253402300799999)
            {
                return Reject(StatusCodes.Status400BadRequest, "InvalidParameterValueException", $"{InvokeContract.DeadlineMs} must be Unix epoch milliseconds.");
            }

            callerDeadline = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        }

        if (requestId.Length > 0 && !IsValidRequestId(requestId))
        {
            return Reject(StatusCodes.Status400BadRequest, "InvalidParameterValueException", $"{InvokeContract.RequestId} must be 1 to 64 letters, digits or dashes.");
        }

        if (cognitoIdentity.Length > 0 && !IsJson(Encoding.UTF8.GetBytes(cognitoIdentity)))
        {
            return Reject(StatusCodes.Status400BadRequest, "InvalidParameterValueException", $"{InvokeContract.CognitoIdentity} must be JSON.");
        }

        if (invocationType.Length > 0 && invocationType != InvocationTypes.RequestResponse && invocationType != InvocationTypes.Event)
        {
            return Reject(StatusCodes.Status400BadRequest, "InvalidParameterValueException", $"{InvokeContract.InvocationType} must be RequestResponse or Event.");
        }

        byte[]? payload;
        try
        {
            payload = await RequestBody.ReadAsync(context.Request, PayloadLimits.Request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or BadHttpRequestException)
        {
            return Reject(StatusCodes.Status400BadRequest, "InvalidRequestContentException", $"The request body could not be read: {e.Message}");
        }

        if (payload is null)
        {
            return Reject(StatusCodes.Status413PayloadTooLarge, "RequestTooLargeException",
                string.Create(CultureInfo.InvariantCulture, $"Request must be smaller than {PayloadLimits.Request} bytes for the InvokeFunction operation"));
        }

        if (payload.Length == 0)
        {
            payload = EmptyEvent; // the AWS CLI without --payload sends nothing; Lambda gives the function {}.
        }
        else if (!IsJson(payload))
        {
            return Reject(StatusCodes.Status400BadRequest, "InvalidRequestContentException", "Could not parse request body into json: the payload is not valid JSON.");
        }

        return new Parsed(new InvocationRequest
        {
            RequestId = requestId.Length > 0 ? requestId : Guid.NewGuid().ToString("D"),
            Payload = payload,
            Deadline = callerDeadline,
            ClientContext = decodedClientContext,
            CognitoIdentity = cognitoIdentity.Length > 0 ? cognitoIdentity : null,
            TraceId = traceId.Length > 0 ? traceId : null,
            InvocationType = invocationType.Length > 0 ? invocationType : InvocationTypes.RequestResponse,
        }, null);

        static Parsed Reject(int status, string exception, string message) => new(null, new BadRequest(status, exception, message));
    }

    private static bool IsJson(ReadOnlySpan<byte> utf8)
    {
        // Utf8JsonReader does not check the bytes inside strings; Lambda refuses a payload that is not UTF-8.
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
            while (reader.Read())
            {
            }

            return reader.BytesConsumed == utf8.Length || utf8[(int)reader.BytesConsumed..].Trim(" \t\r\n"u8).IsEmpty;
        }
        catch (JsonException)
        {
            return false;
        }
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

    private static bool IsTail(string logType) => logType == "Tail";

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
        response.Headers["X-Amzn-ErrorType"] = exception;
        var body = new ServiceError(status >= 500 ? "Service" : "User", message) { Reason = reason }.ToUtf8Json();
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static string Milliseconds(TimeSpan duration) => duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
}
