using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Lamina.Gateway.Async;
using Lamina.Gateway.Auth;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Hosting;
using Lamina.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Invoke;

/// <summary>
/// <c>POST /2015-03-31/functions/{FunctionName}/invocations</c>: the Lambda Invoke API
/// (docs/lambda-contracts.md#invoke). The order of checks is chosen so that nothing about a namespace the caller may not
/// use leaks: signature, then the name's syntax, then the grant, and only then whether it exists.
/// And so that a request is refused before its body is read whenever its headers decide it
/// (docs/gateway-auth.md, "Before the body"): everything the signature needs but the body's hash is
/// checked first; a request then refused for its name, grant, function or parameters has its body
/// hashed as it streams past (never buffered) so that its signature is still checked first; only a
/// request that will run has its body buffered, in pooled buffers within the gateway's
/// <see cref="BodyBudget"/>.
/// </summary>
internal sealed partial class InvokeHandler(
    IRequestAuthenticator authenticator,
    IFunctionCatalog catalog,
    IInvocationRouter router,
    IAsyncQueue asyncQueue,
    InvokeMetrics metrics,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<InvokeHandler> logger,
    ILoggerFactory loggerFactory,
    RequestBodyReader? bodies = null,
    ShutdownGate? shutdown = null)
{
    public const string PathPrefix = "/2015-03-31/functions/";
    public const string PathSuffix = "/invocations";

    // Lambda's synchronous payload limit: "Request must be smaller than 6291456 bytes for the InvokeFunction operation".
    public const int MaximumPayload = 6_291_456;

    // Lambda's limit on X-Amz-Client-Context (base64 as sent).
    private const int MaximumClientContext = 3583;

    private const string Latest = "$LATEST";

    // Lambda's message for a throttle.
    private const string RateExceeded = "Rate Exceeded.";

    // Lambda's message for a payload that is not JSON.
    private const string InvalidJson = "Could not parse request body into json: the payload is not valid JSON.";

    private readonly GatewayOptions _options = options.Value;

    private readonly ILogger _accessLog = loggerFactory.CreateLogger(AccessLog.Category);

    // Without one given (tests of other concerns), a budget as large as the default's.
    private readonly RequestBodyReader _bodies = bodies ?? new RequestBodyReader(new BodyBudget(new GatewayServerOptions().BodyBufferBudgetBytes, meterFactory: null));

    private readonly ShutdownGate _shutdown = shutdown ?? new ShutdownGate();

    public async Task HandleAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        var request = context.Request;
        var path = request.Path.Value ?? string.Empty;
        if (_shutdown.Draining)
        {
            // Stopping: the client's next request opens a connection, which the Service sends to another replica.
            context.Response.Headers.Connection = "close";
        }

        if (!path.StartsWith(PathPrefix, StringComparison.Ordinal) || !path.EndsWith(PathSuffix, StringComparison.Ordinal)
            || path.Length <= PathPrefix.Length + PathSuffix.Length)
        {
            await LambdaErrors.WriteAsync(context, StatusCodes.Status404NotFound, "UnknownOperationException", $"No operation at {request.Method} {path}.").ConfigureAwait(false);
            return;
        }

        if (request.Method != HttpMethods.Post)
        {
            context.Response.Headers.Allow = HttpMethods.Post;
            await LambdaErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "UnknownOperationException", $"{request.Method} is not allowed: Invoke is a POST.").ConfigureAwait(false);
            return;
        }

        var requestId = Guid.NewGuid().ToString("D");
        context.Response.Headers["X-Amz-Request-Id"] = requestId;
        context.Response.Headers["x-amzn-RequestId"] = requestId;

        if (!_shutdown.TryEnter())
        {
            // The SDKs retry a 5xx; by then the Service has taken this replica out (docs/gateway-routing.md, "Stopping").
            await LambdaErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "ServiceException",
                $"RequestId: {requestId}: this gateway replica is shutting down and takes no new invocations; retry.", retryAfterSeconds: 1).ConfigureAwait(false);
            return;
        }

        try
        {
            switch (authenticator.AuthenticateHeaders(request, time.GetUtcNow()))
            {
                case AuthResult.Denied denied:
                    await LambdaErrors.WriteAsync(context, StatusCodes.Status403Forbidden, denied.Exception, denied.Message).ConfigureAwait(false);
                    return;
                case AuthResult.Authenticated authenticated:
                    await InvokeAsync(context, authenticated, path, requestId, started).ConfigureAwait(false);
                    return;
            }
        }
        finally
        {
            _shutdown.Exit();
        }
    }

    private async Task InvokeAsync(HttpContext context, AuthResult.Authenticated authenticated, string path, string requestId, long started)
    {
        var request = context.Request;
        var caller = authenticated.Caller;
        // The server has already percent-decoded the path (all but %2F, which stays and fails the name's
        // syntax); decoding again would turn a name the client sent as "a%41" into "aA", another function.
        var rawName = path[PathPrefix.Length..^PathSuffix.Length];
        if (!FunctionReference.TryParse(rawName, out var reference, out var invalid))
        {
            await RefuseAsync(context, authenticated, StatusCodes.Status400BadRequest, "ValidationException", invalid).ConfigureAwait(false);
            return;
        }

        var ns = reference.Namespace ?? caller.DefaultNamespace;
        var qualifiedName = $"{ns}.{reference.Name}";
        var arn = _options.FunctionArn(qualifiedName);
        if (!caller.MayInvokeIn(ns))
        {
            if (await RefuseAsync(context, authenticated, StatusCodes.Status403Forbidden, "AccessDeniedException",
                $"User: {caller.Identity} is not authorized to perform: lambda:InvokeFunction on resource: {arn} because no identity-based policy allows the lambda:InvokeFunction action").ConfigureAwait(false))
            {
                LogDenied(logger, caller.Identity, ns, reference.Name);
            }

            return;
        }

        var queryQualifier = request.Query["Qualifier"].ToString();
        if (queryQualifier.Length > 0 && !IsQueryQualifier(queryQualifier))
        {
            await RefuseAsync(context, authenticated, StatusCodes.Status400BadRequest, "InvalidParameterValueException",
                $"1 validation error detected: Value '{queryQualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)").ConfigureAwait(false);
            return;
        }

        if (queryQualifier.Length > 0 && reference.Qualifier is not null && queryQualifier != reference.Qualifier)
        {
            await RefuseAsync(context, authenticated, StatusCodes.Status400BadRequest, "InvalidParameterValueException",
                $"The derived qualifier from the function name does not match the specified qualifier: {reference.Qualifier} and {queryQualifier}.").ConfigureAwait(false);
            return;
        }

        var qualifier = queryQualifier.Length > 0 ? queryQualifier : reference.Qualifier ?? Latest;
        if (!catalog.Exists(ns, reference.Name) || qualifier != Latest)
        {
            var what = qualifier == Latest ? arn : $"{arn}:{qualifier}";
            await RefuseAsync(context, authenticated, StatusCodes.Status404NotFound, "ResourceNotFoundException", $"Function not found: {what}").ConfigureAwait(false);
            return;
        }

        var headers = request.Headers;
        var invocationType = headers["X-Amz-Invocation-Type"].ToString();
        if (invocationType.Length == 0)
        {
            invocationType = "RequestResponse";
        }

        var logType = headers["X-Amz-Log-Type"].ToString();
        var clientContext = headers["X-Amz-Client-Context"].ToString();
        if (Invalid(invocationType, logType, clientContext) is { } parameterError)
        {
            await RefuseAsync(context, authenticated, StatusCodes.Status400BadRequest, "InvalidParameterValueException", parameterError).ConfigureAwait(false);
            return;
        }

        // Everything the headers decide has passed: now the body, buffered.
        BodyReadStatus status;
        RequestBody? read;
        try
        {
            (status, read) = await _bodies.ReadAsync(request, MaximumPayload, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or EndOfStreamException or OperationCanceledException)
        {
            await UnreadableAsync(context, e).ConfigureAwait(false);
            return;
        }

        if (read is null)
        {
            await BodyRefusedAsync(context, status).ConfigureAwait(false);
            return;
        }

        using var body = read;
        if (authenticated.SignaturePending)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(body.Span, hash);
            if (authenticator.VerifyBody(request, authenticated, hash) is { } denied)
            {
                await LambdaErrors.WriteAsync(context, StatusCodes.Status403Forbidden, denied.Exception, denied.Message).ConfigureAwait(false);
                return;
            }
        }

        if (invocationType == "DryRun")
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (invocationType == "Event")
        {
            await EnqueueAsync(context, caller, new FunctionKey(ns, reference.Name), requestId, body.Memory, clientContext, started).ConfigureAwait(false);
            return;
        }

        if (body.Length > 0 && !IsJson(body.Span))
        {
            await LambdaErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "InvalidRequestContentException", InvalidJson).ConfigureAwait(false);
            return;
        }

        metrics.Invoked(ns, reference.Name, invocationType);
        var shimRequest = new ShimRequest
        {
            RequestId = requestId,
            Payload = body.Memory,
            ClientContext = clientContext.Length > 0 ? clientContext : null,
            TraceId = headers["X-Amzn-Trace-Id"] is { Count: > 0 } trace ? trace.ToString() : null,
            LogTail = logType == "Tail",
        };
        try
        {
            body.Lend();
            var result = await router.InvokeAsync(new FunctionKey(ns, reference.Name), shimRequest, context.RequestAborted).ConfigureAwait(false);
            if (result is RouteResult.Completed)
            {
                // The shim reads the whole event before the runtime gets it, so an answer means it has all of it.
                body.Returned();
            }

            await RespondAsync(context, ns, reference.Name, requestId, result).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away (and left the queue, if it was waiting): there is no one to answer.
            LogAbandoned(logger, caller.Identity, ns, reference.Name, requestId);
            return;
        }
        catch (Exception e)
        {
            LogFailed(logger, e, ns, reference.Name, requestId);
            metrics.Errored(ns, reference.Name, "Service");
            if (!context.Response.HasStarted)
            {
                context.Response.Headers.Remove("X-Amz-Executed-Version");
                context.Response.Headers.Remove("X-Amz-Function-Error");
                context.Response.Headers.Remove("X-Amz-Log-Result");
                await LambdaErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, "ServiceException",
                    $"RequestId: {requestId}: the gateway failed while running the invocation.").ConfigureAwait(false);
            }
        }

        metrics.Completed(ns, reference.Name, time.GetElapsedTime(started));
        AccessLog.Invoked(_accessLog, caller.Identity, ns, reference.Name, requestId, context.Response.StatusCode, time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// A refusal the headers decided (name, grant, function, parameters). When the signature is
    /// still to be checked, the body is hashed as it streams past, never buffered, and a wrong
    /// signature is answered instead, as before any other check: a client without the key's secret
    /// learns nothing of what the key may invoke. True when <paramref name="message"/> was the answer.
    /// </summary>
    private async Task<bool> RefuseAsync(HttpContext context, AuthResult.Authenticated authenticated, int status, string exception, string message)
    {
        if (authenticated.SignaturePending)
        {
            var hash = new byte[SHA256.HashSizeInBytes];
            BodyReadStatus read;
            try
            {
                read = await _bodies.HashAsync(context.Request, MaximumPayload, hash, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or BadHttpRequestException or EndOfStreamException or OperationCanceledException)
            {
                await UnreadableAsync(context, e).ConfigureAwait(false);
                return false;
            }

            if (read != BodyReadStatus.Read)
            {
                await BodyRefusedAsync(context, read).ConfigureAwait(false);
                return false;
            }

            if (authenticator.VerifyBody(context.Request, authenticated, hash) is { } denied)
            {
                await LambdaErrors.WriteAsync(context, StatusCodes.Status403Forbidden, denied.Exception, denied.Message).ConfigureAwait(false);
                return false;
            }
        }

        await LambdaErrors.WriteAsync(context, status, exception, message).ConfigureAwait(false);
        return true;
    }

    private static Task UnreadableAsync(HttpContext context, Exception e) =>
        context.RequestAborted.IsCancellationRequested
            ? Task.CompletedTask // the caller went away: nobody reads an answer
            : LambdaErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "InvalidRequestContentException", $"The request body could not be read: {e.Message}");

    private static Task BodyRefusedAsync(HttpContext context, BodyReadStatus status) => status switch
    {
        BodyReadStatus.TooLarge => LambdaErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestTooLargeException",
            string.Create(CultureInfo.InvariantCulture, $"Request must be smaller than {MaximumPayload} bytes for the InvokeFunction operation")),
        // Lambda's throttle: the SDKs back off and retry it, which is what a full gateway needs of its callers.
        _ => LambdaErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, "TooManyRequestsException",
            "Rate Exceeded. The gateway is holding as many request bodies as it may; retry.", reason: ThrottleReasons.GatewayBuffers, retryAfterSeconds: 1),
    };

    /// <summary>
    /// An Event invocation: stored durably (docs/async.md), then 202 with the request id the runtime
    /// will see on every attempt. Never 202 for an event that was not stored: a failure is 500.
    /// </summary>
    private async Task EnqueueAsync(HttpContext context, Caller caller, FunctionKey function, string requestId, ReadOnlyMemory<byte> body, string clientContext, long started)
    {
        if (!asyncQueue.Enabled)
        {
            // No Redis configured: say so rather than pretend with a 202 that queued nothing.
            await LambdaErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "InvalidParameterValueException",
                $"Asynchronous invocation (X-Amz-Invocation-Type: Event) is off on this gateway: it has no Redis ({AsyncOptions.Section}:Redis); invoke with RequestResponse.").ConfigureAwait(false);
            return;
        }

        if (body.Length > asyncQueue.MaximumPayload)
        {
            await LambdaErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLargeException",
                string.Create(CultureInfo.InvariantCulture, $"{body.Length} byte payload is too large for the Event invocation type (limit {asyncQueue.MaximumPayload} bytes)")).ConfigureAwait(false);
            return;
        }

        if (body.Length > 0 && !IsJson(body.Span))
        {
            await LambdaErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "InvalidRequestContentException", InvalidJson).ConfigureAwait(false);
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
            headers["X-Amzn-Trace-Id"] is { Count: > 0 } trace ? trace.ToString() : null);
        try
        {
            await asyncQueue.EnqueueAsync(function, e).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            LogNotQueued(logger, failure, function.Namespace, function.Name, requestId);
            metrics.Errored(function.Namespace, function.Name, "Service");
            await LambdaErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, "ServiceException",
                $"RequestId: {requestId}: the event could not be stored, so it was not queued; invoke again.").ConfigureAwait(false);
            AccessLog.Invoked(_accessLog, caller.Identity, function.Namespace, function.Name, requestId, context.Response.StatusCode, time.GetElapsedTime(started).TotalMilliseconds);
            return;
        }

        metrics.Invoked(function.Namespace, function.Name, "Event");
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
        AccessLog.Invoked(_accessLog, caller.Identity, function.Namespace, function.Name, requestId, context.Response.StatusCode, time.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task RespondAsync(HttpContext context, string ns, string name, string requestId, RouteResult result)
    {
        var response = context.Response;
        switch (result)
        {
            case RouteResult.Completed completed:
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/json";
                response.Headers["X-Amz-Executed-Version"] = Latest;
                if (completed.FunctionError is { } functionError)
                {
                    response.Headers["X-Amz-Function-Error"] = functionError;
                    metrics.Errored(ns, name, functionError);
                }

                if (completed.LogResult is { } logResult)
                {
                    response.Headers["X-Amz-Log-Result"] = logResult;
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
                    response.Headers["X-Amzn-ErrorType"] = errorType;
                }

                response.ContentLength = rejected.Body.Length;
                await response.Body.WriteAsync(rejected.Body, context.RequestAborted).ConfigureAwait(false);
                break;
            case RouteResult.QueueFull:
                metrics.Throttled(ns, name, ThrottleReasons.Concurrency);
                await LambdaErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, "TooManyRequestsException", RateExceeded,
                    reason: ThrottleReasons.Concurrency, retryAfterSeconds: 1).ConfigureAwait(false);
                break;
            case RouteResult.Throttled throttled:
                // Every environment the limit allows was busy at that moment: a second is a fair retry.
                metrics.Throttled(ns, name, throttled.Reason);
                await LambdaErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, "TooManyRequestsException",
                    throttled.Message.Length > 0 ? throttled.Message : RateExceeded, reason: throttled.Reason, retryAfterSeconds: 1).ConfigureAwait(false);
                break;
            case RouteResult.Failed failed:
                metrics.Errored(ns, name, "Service");
                await LambdaErrors.WriteAsync(context, StatusCodes.Status502BadGateway, "ResourceNotReadyException", failed.Message).ConfigureAwait(false);
                break;
            case RouteResult.NoEnvironment none:
                metrics.Errored(ns, name, "Service");
                await LambdaErrors.WriteAsync(context, StatusCodes.Status502BadGateway, "ResourceNotReadyException", none.Message).ConfigureAwait(false);
                break;
            case RouteResult.EnvironmentLost lost:
                // Lambda reports a sandbox that died mid-invocation as the function's unhandled error.
                metrics.Errored(ns, name, "Unhandled");
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/json";
                response.Headers["X-Amz-Executed-Version"] = Latest;
                response.Headers["X-Amz-Function-Error"] = "Unhandled";
                var payload = LambdaErrors.FunctionErrorDocument(
                    $"RequestId: {requestId} Error: the execution environment was lost mid-invocation: {lost.Message}", "Runtime.ExitError");
                response.ContentLength = payload.Length;
                await response.Body.WriteAsync(payload, context.RequestAborted).ConfigureAwait(false);
                break;
        }
    }

    private static string? Invalid(string invocationType, string logType, string clientContext)
    {
        if (invocationType is not ("RequestResponse" or "Event" or "DryRun"))
        {
            return $"1 validation error detected: Value '{invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]";
        }

        if (logType.Length > 0 && logType is not ("None" or "Tail"))
        {
            return $"1 validation error detected: Value '{logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]";
        }

        if (logType == "Tail" && invocationType != "RequestResponse")
        {
            return "Log type Tail is only available for RequestResponse invocations.";
        }

        if (clientContext.Length > 0)
        {
            if (clientContext.Length > MaximumClientContext)
            {
                return $"Client context must be base64-encoded JSON of at most {MaximumClientContext} bytes.";
            }

            var bytes = new byte[clientContext.Length];
            if (!Convert.TryFromBase64String(clientContext, bytes, out var written) || !IsJson(bytes.AsSpan(0, written)))
            {
                return $"Client context must be base64-encoded JSON of at most {MaximumClientContext} bytes.";
            }
        }

        return null;
    }

    // Lambda's pattern for the Qualifier parameter, (|[a-zA-Z0-9$_-]+), at most 128 characters.
    private static bool IsQueryQualifier(string text)
    {
        if (text.Length > 128)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('$' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsJson(ReadOnlySpan<byte> utf8)
    {
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

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [LoggerMessage(3, LogLevel.Information, "abandoned {Namespace}.{Function} request {RequestId} by {Caller}: the caller disconnected")]
    private static partial void LogAbandoned(ILogger logger, string caller, string @namespace, string function, string requestId);

    [LoggerMessage(4, LogLevel.Error, "invoke {Namespace}.{Function} request {RequestId} failed in the gateway")]
    private static partial void LogFailed(ILogger logger, Exception exception, string @namespace, string function, string requestId);

    [LoggerMessage(5, LogLevel.Error, "Event invocation of {Namespace}.{Function} request {RequestId} not queued: Redis did not store it")]
    private static partial void LogNotQueued(ILogger logger, Exception exception, string @namespace, string function, string requestId);

    [LoggerMessage(2, LogLevel.Information, "denied: {Caller} may not invoke in namespace {Namespace} (function {Function})")]
    private static partial void LogDenied(ILogger logger, string caller, string @namespace, string function);
}
