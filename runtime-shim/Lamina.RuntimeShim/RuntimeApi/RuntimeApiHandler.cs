using System.Globalization;
using System.Text;
using System.Text.Json;
using Lamina.Contracts.Lambda;
using Lamina.RuntimeShim.Execution;
using Lamina.RuntimeShim.Http;

namespace Lamina.RuntimeShim.RuntimeApi;

/// <summary>
/// The Lambda Runtime API (2018-06-01) for the runtime process, on 127.0.0.1:9001: <c>next</c>,
/// <c>response</c>, <c>error</c> and <c>init/error</c>, with Lambda's headers, status codes and limits.
/// Paths are matched by hand: four fixed shapes do not need a router on the hot path.
/// </summary>
internal sealed class RuntimeApiHandler(ExecutionEnvironment environment)
{
    public const string Prefix = "/2018-06-01/runtime/";
    private const string InvocationPrefix = "invocation/";

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        try
        {
            if (!path.StartsWith(Prefix, StringComparison.Ordinal))
            {
                await RespondAsync(context, StatusCodes.Status404NotFound, new LambdaError($"Unknown Runtime API path {path}", "InvalidRequest")).ConfigureAwait(false);
                return;
            }

            var rest = path.AsSpan(Prefix.Length);
            if (rest.SequenceEqual("invocation/next"))
            {
                await RequireMethodAsync(context, HttpMethods.Get, NextAsync).ConfigureAwait(false);
            }
            else if (rest.SequenceEqual("init/error"))
            {
                await RequireMethodAsync(context, HttpMethods.Post, InitErrorAsync).ConfigureAwait(false);
            }
            else if (rest.StartsWith(InvocationPrefix) && TrySplitInvocation(rest[InvocationPrefix.Length..], out var requestId, out var action))
            {
                var isError = action == "error";
                await RequireMethodAsync(context, HttpMethods.Post, c => CompleteAsync(c, requestId, isError)).ConfigureAwait(false);
            }
            else
            {
                await RespondAsync(context, StatusCodes.Status404NotFound, new LambdaError($"Unknown Runtime API path {path}", "InvalidRequest")).ConfigureAwait(false);
            }
        }
        catch (RuntimeApiRefusal refusal)
        {
            await RespondAsync(context, refusal.StatusCode, refusal.Error).ConfigureAwait(false);
        }
    }

    private async Task NextAsync(HttpContext context)
    {
        Invocation invocation;
        try
        {
            invocation = await environment.NextAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // The runtime went away while it waited.
        }
        catch (TaskCanceledException)
        {
            // The runtime exited (or is being reset) while this poll waited: tell it to stop.
            await RespondAsync(context, StatusCodes.Status500InternalServerError, new LambdaError("The environment is being reset.", "Runtime.Stopped")).ConfigureAwait(false);
            return;
        }

        var request = invocation.Request;
        var response = context.Response;
        var headers = response.Headers;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = request.Payload.Length;
        headers["Lambda-Runtime-Aws-Request-Id"] = request.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = invocation.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = environment.Options.FunctionArn;
        headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        if (request.ClientContext is { } clientContext)
        {
            headers["Lambda-Runtime-Client-Context"] = clientContext;
        }

        if (request.CognitoIdentity is { } cognitoIdentity)
        {
            headers["Lambda-Runtime-Cognito-Identity"] = cognitoIdentity;
        }

        await response.Body.WriteAsync(request.Payload, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task CompleteAsync(HttpContext context, string requestId, bool isError)
    {
        // Refuse a wrong id before reading a possibly large body.
        environment.EnsureRunning(requestId);
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            await environment.RejectOversizedResponseAsync(requestId, PayloadLimits.Response).ConfigureAwait(false);
            await RespondAsync(context, StatusCodes.Status413PayloadTooLarge, new LambdaError(
                string.Create(CultureInfo.InvariantCulture, $"Exceeded maximum allowed payload size ({PayloadLimits.Response} bytes)."),
                "RequestEntityTooLarge")).ConfigureAwait(false);
            return;
        }

        if (isError)
        {
            var (document, errorType) = ErrorDocument(context.Request, body);
            // Lambda answers Unhandled for an error a handler raised or threw, on every current runtime.
            _ = environment.CompleteAsync(requestId, document, LambdaInvokeApi.FunctionErrors.Unhandled, errorType.Value);
        }
        else
        {
            _ = environment.CompleteAsync(requestId, body, functionError: null, errorType: null);
        }

        await RespondAsync(context, StatusCodes.Status202Accepted).ConfigureAwait(false);
    }

    private async Task InitErrorAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false) ?? [];
        var (document, errorType) = ErrorDocument(context.Request, body);
        var message = TryReadMessage(document) ?? "The runtime failed to initialise.";
        environment.ReportInitError(new LambdaError(message, errorType.Value), document);
        await RespondAsync(context, StatusCodes.Status202Accepted).ConfigureAwait(false);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            return await RequestBody.ReadAsync(context.Request, PayloadLimits.Response, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or BadHttpRequestException)
        {
            throw new RuntimeApiRefusal(StatusCodes.Status400BadRequest, "InvalidRequest", $"The request body could not be read: {e.Message}");
        }
    }

    /// <summary>
    /// The error document for the caller: the runtime's JSON when it sent an object, else one made from
    /// what it sent. The type comes from Lambda-Runtime-Function-Error-Type, else the document's errorType,
    /// made safe for a header and a log line (<see cref="ErrorType"/>).
    /// </summary>
    internal static (byte[] Document, ErrorType ErrorType) ErrorDocument(HttpRequest request, byte[] body)
    {
        var headerType = request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
        string? documentType = null;
        var isObject = false;
        try
        {
            using var json = JsonDocument.Parse(body);
            isObject = json.RootElement.ValueKind == JsonValueKind.Object;
            if (isObject && json.RootElement.TryGetProperty("errorType", out var type) && type.ValueKind == JsonValueKind.String)
            {
                documentType = type.GetString();
            }
        }
        catch (JsonException)
        {
        }

        var errorType = ErrorType.From(!string.IsNullOrEmpty(headerType) ? headerType : documentType);
        if (isObject)
        {
            return (body, errorType);
        }

        var text = Encoding.UTF8.GetString(body);
        return (new LambdaError(text.Length > 0 ? text : "The runtime reported an error without details.", errorType.Value).ToUtf8Json(), errorType);
    }

    private static string? TryReadMessage(byte[] document)
    {
        try
        {
            using var json = JsonDocument.Parse(document);
            return json.RootElement.TryGetProperty("errorMessage", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Splits <c>{id}/response</c> or <c>{id}/error</c>.</summary>
    private static bool TrySplitInvocation(ReadOnlySpan<char> rest, out string requestId, out string action)
    {
        requestId = action = string.Empty;
        var slash = rest.LastIndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var verb = rest[(slash + 1)..];
        if (!verb.SequenceEqual("response") && !verb.SequenceEqual("error"))
        {
            return false;
        }

        requestId = rest[..slash].ToString();
        action = verb.ToString();
        return !requestId.Contains('/', StringComparison.Ordinal);
    }

    private static Task RequireMethodAsync(HttpContext context, string method, Func<HttpContext, Task> handler)
    {
        if (context.Request.Method == method)
        {
            return handler(context);
        }

        context.Response.Headers.Allow = method;
        return RespondAsync(context, StatusCodes.Status405MethodNotAllowed, new LambdaError($"{context.Request.Method} is not allowed here; use {method}.", "InvalidRequest"));
    }

    private static Task RespondAsync(HttpContext context, int statusCode, LambdaError? error = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        var body = error is null ? """{"status":"OK"}"""u8.ToArray() : error.ToUtf8Json();
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}
