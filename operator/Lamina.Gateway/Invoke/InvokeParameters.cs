using Lamina.Contracts.Json;
using Lamina.Contracts.Lambda;

namespace Lamina.Gateway.Invoke;

/// <summary>
/// The Invoke API's parameters as Lambda validates them (the header values, the Qualifier, the
/// payload's JSON), with Lambda's own messages. Pure checks: no request, no answer.
/// </summary>
internal static class InvokeParameters
{
    /// <summary>Lambda's message for a payload that is not JSON.</summary>
    public const string InvalidJson = "Could not parse request body into json: the payload is not valid JSON.";

    // Lambda's limit on the Qualifier parameter.
    private const int MaximumQualifierLength = 128;

    /// <summary>
    /// The message of Lambda's InvalidParameterValueException for the invocation type, log type and
    /// client context headers, or null when they are valid.
    /// </summary>
    public static string? Invalid(string invocationType, string logType, string clientContext)
    {
        if (invocationType is not (LambdaInvokeApi.InvocationTypes.RequestResponse or LambdaInvokeApi.InvocationTypes.Event or LambdaInvokeApi.InvocationTypes.DryRun))
        {
            return $"1 validation error detected: Value '{invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]";
        }

        if (logType.Length > 0 && logType is not (LambdaInvokeApi.LogTypes.None or LambdaInvokeApi.LogTypes.Tail))
        {
            return $"1 validation error detected: Value '{logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]";
        }

        if (logType == LambdaInvokeApi.LogTypes.Tail && invocationType != LambdaInvokeApi.InvocationTypes.RequestResponse)
        {
            return "Log type Tail is only available for RequestResponse invocations.";
        }

        if (clientContext.Length > 0)
        {
            if (clientContext.Length > LambdaInvokeApi.MaximumClientContextLength)
            {
                return $"Client context must be base64-encoded JSON of at most {LambdaInvokeApi.MaximumClientContextLength} bytes.";
            }

            var bytes = new byte[clientContext.Length];
            if (!Convert.TryFromBase64String(clientContext, bytes, out var written) || !JsonPayload.IsValid(bytes.AsSpan(0, written)))
            {
                return $"Client context must be base64-encoded JSON of at most {LambdaInvokeApi.MaximumClientContextLength} bytes.";
            }
        }

        return null;
    }

    /// <summary>Lambda's pattern for the Qualifier parameter, (|[a-zA-Z0-9$_-]+), at most 128 characters.</summary>
    public static bool IsQueryQualifier(string text)
    {
        if (text.Length > MaximumQualifierLength)
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

    /// <summary>An event payload Lambda accepts: empty (the function gets <c>{}</c>) or one JSON value.</summary>
    public static bool IsPayload(ReadOnlySpan<byte> body) => body.Length == 0 || JsonPayload.IsValid(body);
}
