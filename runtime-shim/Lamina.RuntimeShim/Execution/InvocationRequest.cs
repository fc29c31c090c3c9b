using Lamina.Contracts.Lambda;

namespace Lamina.RuntimeShim.Execution;

/// <summary>An invocation as the gateway (or a local caller) asked for it.</summary>
internal sealed record InvocationRequest
{
    public required string RequestId { get; init; }

    /// <summary>The event: the bytes the runtime receives from <c>next</c>.</summary>
    public required ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>A deadline the caller imposes (epoch), earlier than the function's timeout; null for none.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Client context as JSON (already decoded from the caller's base64), or null.</summary>
    public string? ClientContext { get; init; }

    /// <summary>Cognito identity as JSON, or null.</summary>
    public string? CognitoIdentity { get; init; }

    /// <summary>The X-Ray trace header for the runtime; the shim makes one when null.</summary>
    public string? TraceId { get; init; }

    /// <summary>For metrics only: <see cref="LambdaInvokeApi.InvocationTypes.RequestResponse"/> or <see cref="LambdaInvokeApi.InvocationTypes.Event"/> (a bounded label).</summary>
    public string InvocationType { get; init; } = LambdaInvokeApi.InvocationTypes.RequestResponse;
}
