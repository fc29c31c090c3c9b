using System.Security.Cryptography;
using Lamina.Contracts.Lambda;
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
/// This type is the pipeline in order; each step's rules live beside it: <see cref="InvokeParameters"/>
/// (validation), <see cref="InvokeRefusals"/> (refusals before the body), <see cref="EventEnqueuer"/>
/// (Event invocations), <see cref="InvokeResponder"/> (Lambda's response to a route result).
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
    // The Invoke API's path and limit (Lamina.Contracts), named here too for the gateway's own wiring.
    public const string PathPrefix = LambdaInvokeApi.PathPrefix;
    public const string PathSuffix = LambdaInvokeApi.PathSuffix;
    public const int MaximumPayload = LambdaInvokeApi.MaximumPayload;

    private readonly GatewayOptions _options = options.Value;

    private readonly ILogger _accessLog = loggerFactory.CreateLogger(AccessLog.Category);

    // Without one given (tests of other concerns), a budget as large as the default's.
    private readonly RequestBodyReader _bodies = bodies ?? new RequestBodyReader(new BodyBudget(new GatewayServerOptions().BodyBufferBudgetBytes, meterFactory: null));

    private readonly ShutdownGate _shutdown = shutdown ?? new ShutdownGate();

    private readonly InvokeResponder _responder = new(metrics);

    private readonly EventEnqueuer _events = new(asyncQueue, metrics, time, logger, loggerFactory.CreateLogger(AccessLog.Category));

    // Made on first use, as a field initializer cannot read _bodies; a race makes two of a stateless type, which is harmless.
    private InvokeRefusals Refusals => field ??= new InvokeRefusals(authenticator, _bodies);

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
            await LambdaErrors.WriteAsync(context, StatusCodes.Status404NotFound, LambdaErrorCodes.UnknownOperation, $"No operation at {request.Method} {path}.").ConfigureAwait(false);
            return;
        }

        if (request.Method != HttpMethods.Post)
        {
            context.Response.Headers.Allow = HttpMethods.Post;
            await LambdaErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, LambdaErrorCodes.UnknownOperation, $"{request.Method} is not allowed: Invoke is a POST.").ConfigureAwait(false);
            return;
        }

        var requestId = Guid.NewGuid().ToString("D");
        context.Response.Headers[LambdaHeaders.RequestId] = requestId;
        context.Response.Headers[LambdaHeaders.AmznRequestId] = requestId;

        if (!_shutdown.TryEnter())
        {
            // The SDKs retry a 5xx; by then the Service has taken this replica out (docs/gateway-routing.md, "Stopping").
            await LambdaErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, LambdaErrorCodes.Service,
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
            await Refusals.RefuseAsync(context, authenticated, StatusCodes.Status400BadRequest, "ValidationException", invalid).ConfigureAwait(false);
            return;
        }

        var ns = reference.Namespace ?? caller.DefaultNamespace;
        var qualifiedName = $"{ns}.{reference.Name}";
        var arn = _options.FunctionArn(qualifiedName);
        if (!caller.MayInvokeIn(ns))
        {
            if (await Refusals.RefuseAsync(context, authenticated, StatusCodes.Status403Forbidden, LambdaErrorCodes.AccessDenied,
                $"User: {caller.Identity} is not authorized to perform: lambda:InvokeFunction on resource: {arn} because no identity-based policy allows the lambda:InvokeFunction action").ConfigureAwait(false))
            {
                LogDenied(logger, caller.Identity, ns, reference.Name);
            }

            return;
        }

        var queryQualifier = request.Query["Qualifier"].ToString();
        if (queryQualifier.Length > 0 && !InvokeParameters.IsQueryQualifier(queryQualifier))
        {
            await Refusals.RefuseAsync(context, authenticated, StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue,
                $"1 validation error detected: Value '{queryQualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)").ConfigureAwait(false);
            return;
        }

        if (queryQualifier.Length > 0 && reference.Qualifier is not null && queryQualifier != reference.Qualifier)
        {
            await Refusals.RefuseAsync(context, authenticated, StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue,
                $"The derived qualifier from the function name does not match the specified qualifier: {reference.Qualifier} and {queryQualifier}.").ConfigureAwait(false);
            return;
        }

        var qualifier = queryQualifier.Length > 0 ? queryQualifier : reference.Qualifier ?? LambdaInvokeApi.Latest;
        if (!catalog.Exists(ns, reference.Name) || qualifier != LambdaInvokeApi.Latest)
        {
            var what = qualifier == LambdaInvokeApi.Latest ? arn : $"{arn}:{qualifier}";
            await Refusals.RefuseAsync(context, authenticated, StatusCodes.Status404NotFound, LambdaErrorCodes.ResourceNotFound, $"Function not found: {what}").ConfigureAwait(false);
            return;
        }

        var headers = request.Headers;
        var invocationType = headers[LambdaHeaders.InvocationType].ToString();
        if (invocationType.Length == 0)
        {
            invocationType = LambdaInvokeApi.InvocationTypes.RequestResponse;
        }

        var logType = headers[LambdaHeaders.LogType].ToString();
        var clientContext = headers[LambdaHeaders.ClientContext].ToString();
        if (InvokeParameters.Invalid(invocationType, logType, clientContext) is { } parameterError)
        {
            await Refusals.RefuseAsync(context, authenticated, StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidParameterValue, parameterError).ConfigureAwait(false);
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
            await InvokeRefusals.UnreadableAsync(context, e).ConfigureAwait(false);
            return;
        }

        if (read is null)
        {
            await InvokeRefusals.BodyRefusedAsync(context, status).ConfigureAwait(false);
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

        if (invocationType == LambdaInvokeApi.InvocationTypes.DryRun)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (invocationType == LambdaInvokeApi.InvocationTypes.Event)
        {
            await _events.EnqueueAsync(context, caller, new FunctionKey(ns, reference.Name), requestId, body.Memory, clientContext, started).ConfigureAwait(false);
            return;
        }

        if (!InvokeParameters.IsPayload(body.Span))
        {
            await LambdaErrors.WriteAsync(context, StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidRequestContent, InvokeParameters.InvalidJson).ConfigureAwait(false);
            return;
        }

        metrics.Invoked(ns, reference.Name, invocationType);
        var shimRequest = new ShimRequest
        {
            RequestId = requestId,
            Payload = body.Memory,
            ClientContext = clientContext.Length > 0 ? clientContext : null,
            TraceId = headers[LambdaHeaders.TraceId] is { Count: > 0 } trace ? trace.ToString() : null,
            LogTail = logType == LambdaInvokeApi.LogTypes.Tail,
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

            await _responder.RespondAsync(context, ns, reference.Name, requestId, result).ConfigureAwait(false);
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
                context.Response.Headers.Remove(LambdaHeaders.ExecutedVersion);
                context.Response.Headers.Remove(LambdaHeaders.FunctionError);
                context.Response.Headers.Remove(LambdaHeaders.LogResult);
                await LambdaErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, LambdaErrorCodes.Service,
                    $"RequestId: {requestId}: the gateway failed while running the invocation.").ConfigureAwait(false);
            }
        }

        metrics.Completed(ns, reference.Name, time.GetElapsedTime(started));
        AccessLog.Invoked(_accessLog, caller.Identity, ns, reference.Name, requestId, context.Response.StatusCode, time.GetElapsedTime(started).TotalMilliseconds);
    }
}
