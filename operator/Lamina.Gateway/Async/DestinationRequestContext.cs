using System.Text.Json.Serialization;

namespace Lamina.Gateway.Async;

/// <summary>The destination record's <c>requestContext</c>.</summary>
internal sealed record DestinationRequestContext(
    [property: JsonPropertyName("requestId")] string RequestId,
    [property: JsonPropertyName("functionArn")] string FunctionArn,
    [property: JsonPropertyName("condition")] string Condition,
    [property: JsonPropertyName("approximateInvokeCount")] int ApproximateInvokeCount);
