using System.Text.Json.Serialization;

namespace Lamina.RuntimeShim.Execution;

/// <summary>Lambda's error document, as runtimes post it and callers receive it.</summary>
internal sealed record LambdaError(
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorType")] string ErrorType)
{
    /// <summary>Serialises with the shim's source-generated context (no reflection).</summary>
    public byte[] ToUtf8Json() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(this, ShimJsonContext.Default.LambdaError);
}

/// <summary>A Runtime API answer body: <c>{"status":"OK"}</c>.</summary>
internal sealed record StatusResponse([property: JsonPropertyName("status")] string Status);

/// <summary>Lambda's service error body (with the exception name in X-Amzn-ErrorType).</summary>
internal sealed record ServiceError(
    [property: JsonPropertyName("Type")] string Type,
    [property: JsonPropertyName("message")] string Message)
{
    /// <summary>Set for throttles only.</summary>
    [JsonPropertyName("Reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    public byte[] ToUtf8Json() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(this, ShimJsonContext.Default.ServiceError);
}

/// <summary>Every type the shim serialises, generated at compile time (trimming- and AOT-safe).</summary>
[JsonSerializable(typeof(LambdaError))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(ServiceError))]
internal sealed partial class ShimJsonContext : JsonSerializerContext;
