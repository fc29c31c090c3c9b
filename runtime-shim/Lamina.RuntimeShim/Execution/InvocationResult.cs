using Lamina.Contracts.Lambda;

namespace Lamina.RuntimeShim.Execution;

/// <summary>How one invocation ended: the bytes for the caller and what the gateway reports with them.</summary>
internal sealed record InvocationResult
{
    public required string RequestId { get; init; }

    /// <summary>The function's result, or the error JSON when <see cref="FunctionError"/> is set.</summary>
    public required ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>Null on success, else <see cref="LambdaInvokeApi.FunctionErrors.Unhandled"/> (every function error, as in Lambda).</summary>
    public string? FunctionError { get; init; }

    /// <summary>The error's type (e.g. Sandbox.Timedout, Runtime.ExitError) when it failed, for logs and metrics.</summary>
    public string? ErrorType { get; init; }

    /// <summary>The last 4 KB of what the invocation logged (START … REPORT lines included).</summary>
    public ReadOnlyMemory<byte> LogTail { get; init; }

    /// <summary>Whether this invocation was the first of a freshly initialised runtime.</summary>
    public bool ColdStart { get; init; }

    /// <summary>The runtime's initialisation time, on a cold start.</summary>
    public TimeSpan? InitDuration { get; init; }

    /// <summary>From delivery to the runtime until the result (zero when the runtime never saw the event).</summary>
    public TimeSpan Duration { get; init; }
}
