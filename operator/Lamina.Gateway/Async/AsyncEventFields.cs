using System.Globalization;
using StackExchange.Redis;

namespace Lamina.Gateway.Async;

/// <summary>
/// An <see cref="AsyncEvent"/> as the fields of a stream entry (and, packed by the retry script, a
/// delayed-set member). One field per property, so <c>redis-cli XRANGE</c> shows them as they are.
/// </summary>
internal static class AsyncEventFields
{
    public const string RequestId = "requestId";
    public const string Payload = "payload";
    public const string EnqueuedAt = "enqueuedAt";
    public const string Attempt = "attempt";
    public const string FunctionErrors = "functionErrors";
    public const string ClientContext = "clientContext";
    public const string TraceId = "traceId";
    public const string LastKind = "lastKind";
    public const string LastStatus = "lastStatus";
    public const string LastFunctionError = "lastFunctionError";
    public const string LastResponse = "lastResponse";

    /// <summary>The HMAC of the other fields and the function (<see cref="EventSigner"/>), base64.</summary>
    public const string Signature = "signature";

    /// <summary>True for the names <see cref="Parse"/> reads (the signature excepted): what the signature covers.</summary>
    public static bool IsEventField(string name) => name is RequestId or Payload or EnqueuedAt or Attempt or FunctionErrors
        or ClientContext or TraceId or LastKind or LastStatus or LastFunctionError or LastResponse;

    /// <summary>The fields as a flat name, value, name, value… list (what XADD and the scripts take).</summary>
    public static List<RedisValue> Flatten(AsyncEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var values = new List<RedisValue>(22)
        {
            RequestId, e.RequestId,
            Payload, e.Payload,
            EnqueuedAt, e.EnqueuedAt.ToUnixTimeMilliseconds(),
            Attempt, e.Attempt,
            FunctionErrors, e.FunctionErrors,
        };
        if (e.ClientContext is { } clientContext)
        {
            values.Add(ClientContext);
            values.Add(clientContext);
        }

        if (e.TraceId is { } traceId)
        {
            values.Add(TraceId);
            values.Add(traceId);
        }

        if (e.LastOutcome is { } last)
        {
            values.Add(LastKind);
            values.Add(last.Kind.ToString());
            values.Add(LastStatus);
            values.Add(last.StatusCode);
            if (last.FunctionError is { } functionError)
            {
                values.Add(LastFunctionError);
                values.Add(functionError);
            }

            values.Add(LastResponse);
            values.Add(last.Response);
        }

        return values;
    }

    /// <summary>The event in <paramref name="fields"/>; null when a required field is missing or malformed.</summary>
    public static AsyncEvent? Parse(NameValueEntry[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        string? requestId = null;
        byte[]? payload = null;
        long? enqueuedAt = null;
        int attempt = 0, functionErrors = 0, lastStatus = 0;
        string? clientContext = null, traceId = null, lastFunctionError = null;
        AttemptOutcomeKind? lastKind = null;
        byte[]? lastResponse = null;
        foreach (var field in fields)
        {
            switch ((string?)field.Name)
            {
                case RequestId: requestId = field.Value; break;
                case Payload: payload = field.Value; break;
                case EnqueuedAt: enqueuedAt = ParseLong(field.Value); break;
                case Attempt: attempt = (int)(ParseLong(field.Value) ?? -1); break;
                case FunctionErrors: functionErrors = (int)(ParseLong(field.Value) ?? -1); break;
                case ClientContext: clientContext = field.Value; break;
                case TraceId: traceId = field.Value; break;
                case LastKind: lastKind = Enum.TryParse<AttemptOutcomeKind>(field.Value, out var kind) && Enum.IsDefined(kind) ? kind : null; break;
                case LastStatus: lastStatus = (int)(ParseLong(field.Value) ?? 0); break;
                case LastFunctionError: lastFunctionError = field.Value; break;
                case LastResponse: lastResponse = field.Value; break;
                default: break;
            }
        }

        if (string.IsNullOrEmpty(requestId) || payload is null || enqueuedAt is null || attempt < 0 || functionErrors < 0 || functionErrors > attempt)
        {
            return null;
        }

        return new AsyncEvent
        {
            RequestId = requestId,
            Payload = payload,
            EnqueuedAt = DateTimeOffset.FromUnixTimeMilliseconds(enqueuedAt.Value),
            Attempt = attempt,
            FunctionErrors = functionErrors,
            ClientContext = clientContext,
            TraceId = traceId,
            LastOutcome = lastKind is { } k ? new AttemptOutcome(k, lastStatus, lastFunctionError, lastResponse ?? []) : null,
        };
    }

    private static long? ParseLong(RedisValue value) =>
        long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
}
