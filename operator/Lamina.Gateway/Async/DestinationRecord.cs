using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lamina.Contracts.Lambda;

namespace Lamina.Gateway.Async;

/// <summary>
/// Lambda's invocation record, as a destination receives it (docs/lambda-contracts.md#the-invocation-record): what was asked,
/// how it ended, and the last attempt's answer. It is also what the dead-letter stream keeps beside
/// the original event.
/// </summary>
internal sealed record DestinationRecord(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("requestContext")] DestinationRequestContext RequestContext,
    [property: JsonPropertyName("requestPayload")] JsonElement? RequestPayload)
{
    /// <summary>The record format's version, as Lambda writes it.</summary>
    public const string FormatVersion = "1.0";

    /// <summary>The last attempt; absent when the event aged out before any attempt ran.</summary>
    [JsonPropertyName("responseContext")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DestinationResponseContext? ResponseContext { get; init; }

    /// <summary>The last attempt's response (the function's result or error document); absent with <see cref="ResponseContext"/>.</summary>
    [JsonPropertyName("responsePayload")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? ResponsePayload { get; init; }

    /// <summary>
    /// The record of <paramref name="e"/>, ended in <paramref name="condition"/> at <paramref name="now"/>;
    /// <paramref name="functionArn"/> is the function's unqualified ARN (the record names <c>:$LATEST</c>).
    /// </summary>
    public static DestinationRecord Create(AsyncEvent e, AsyncCondition condition, string functionArn, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        var record = new DestinationRecord(
            FormatVersion,
            now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            new DestinationRequestContext(e.RequestId, $"{functionArn}:{LambdaInvokeApi.Latest}", condition.ToString(), e.Attempt),
            Json(e.Payload));
        return e.LastOutcome is not { } last
            ? record
            : record with
            {
                ResponseContext = new DestinationResponseContext(last.StatusCode, LambdaInvokeApi.Latest) { FunctionError = last.FunctionError },
                ResponsePayload = Json(last.Response) ?? JsonSerializer.SerializeToElement(null, AsyncJsonContext.Default.String),
            };
    }

    /// <summary>The record as UTF-8 JSON, serialised without reflection.</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, AsyncJsonContext.Default.DestinationRecord);

    /// <summary>Reads a record back (the dead-letter commands show it); null when <paramref name="utf8"/> is not one.</summary>
    public static DestinationRecord? Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, AsyncJsonContext.Default.DestinationRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The bytes as JSON when they are JSON; otherwise as a JSON string of their text; null when empty.</summary>
    private static JsonElement? Json(ReadOnlyMemory<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(utf8.Span);
        try
        {
            var value = JsonElement.ParseValue(ref reader);
            // Anything after the first value (but whitespace) makes the reader throw: not one JSON document.
            reader.Read();
            return value;
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(utf8.Span), AsyncJsonContext.Default.String);
        }
    }
}
