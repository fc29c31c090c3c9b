using System.Text.Json.Serialization;

namespace Lamina.Gateway.Async;

/// <summary>The destination record's <c>responseContext</c>: the last attempt, as a synchronous caller would have seen it.</summary>
internal sealed record DestinationResponseContext(
    [property: JsonPropertyName("statusCode")] int StatusCode,
    [property: JsonPropertyName("executedVersion")] string ExecutedVersion)
{
    /// <summary>The attempt's <c>X-Amz-Function-Error</c> as the shim said it (<c>Unhandled</c>); absent when the function did not fail.</summary>
    [JsonPropertyName("functionError")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FunctionError { get; init; }
}
