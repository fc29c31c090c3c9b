using Lamina.Contracts.Lambda;

namespace Lamina.Gateway.Routing;

/// <summary>One invocation as the gateway hands it to an environment (the shim's invoke contract, docs/runtime-shim.md).</summary>
internal sealed record ShimRequest
{
    public required string RequestId { get; init; }

    public required ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>X-Amz-Client-Context as the caller sent it (base64), or null.</summary>
    public string? ClientContext { get; init; }

    public string? TraceId { get; init; }

    public bool LogTail { get; init; }

    /// <summary><c>RequestResponse</c> or <c>Event</c> (the shim uses it for its metrics only).</summary>
    public string InvocationType { get; init; } = LambdaInvokeApi.InvocationTypes.RequestResponse;
}
