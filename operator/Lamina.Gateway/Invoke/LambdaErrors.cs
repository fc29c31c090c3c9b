using System.Text.Json;
using Lamina.Contracts.Lambda;

namespace Lamina.Gateway.Invoke;

/// <summary>
/// Lambda's service errors: a JSON body <c>{"Type":"User"|"Service","message":…}</c> (plus
/// <c>Reason</c> for throttles) and the exception name in <c>X-Amzn-ErrorType</c>, which the AWS
/// SDKs read (docs/lambda-contracts.md#service-errors).
/// </summary>
internal static class LambdaErrors
{
    public static Task WriteAsync(HttpContext context, int status, string exception, string message, string? reason = null, int? retryAfterSeconds = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers[LambdaHeaders.ErrorType] = exception;
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("Type", status >= 500 ? "Service" : "User");
            writer.WriteString("message", message);
            if (reason is not null)
            {
                writer.WriteString("Reason", reason);
            }

            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        return response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).AsTask();
    }

    /// <summary>A function error document, <c>{"errorMessage":…,"errorType":…}</c>, as a runtime would post it.</summary>
    public static byte[] FunctionErrorDocument(string message, string errorType)
    {
        using var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("errorMessage", message);
            writer.WriteString("errorType", errorType);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The function error document of an invocation whose environment was lost mid-invocation (its pod
    /// killed): Lambda reports a sandbox that died so as the runtime exiting, an unhandled error. Sync
    /// callers get it as the response, async events as their attempt's response.
    /// </summary>
    public static byte[] EnvironmentLostDocument(string requestId, string reason) =>
        FunctionErrorDocument($"RequestId: {requestId} Error: the execution environment was lost mid-invocation: {reason}", "Runtime.ExitError");
}
