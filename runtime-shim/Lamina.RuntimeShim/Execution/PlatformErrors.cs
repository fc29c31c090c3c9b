using System.Globalization;
using Lamina.Contracts.Lambda;

namespace Lamina.RuntimeShim.Execution;

/// <summary>
/// The errors the shim reports itself, for what a runtime cannot say (its time ran out, it exited,
/// its answer was too large), with Lambda's messages and types. The caller gets each one as an
/// <see cref="LambdaInvokeApi.FunctionErrors.Unhandled"/> function error (docs/lambda-contracts.md#function-errors).
/// </summary>
internal static class PlatformErrors
{
    /// <summary>What stands for the request id in an error from initialisation, before any invocation.</summary>
    public const string DuringInit = "(init)";

    /// <summary>Sandbox.Timedout after <paramref name="allowed"/>, the time the invocation was given.</summary>
    public static LambdaError TimedOut(string requestId, TimeSpan allowed) =>
        new($"RequestId: {requestId} Error: Task timed out after {PlatformLogLines.Seconds(allowed)} seconds", "Sandbox.Timedout");

    /// <summary>Runtime.ExitError; <paramref name="requestId"/> is <see cref="DuringInit"/> when the runtime never initialised.</summary>
    public static LambdaError RuntimeExited(string requestId, string exitDescription) =>
        new($"RequestId: {requestId} Error: Runtime exited with error: {exitDescription}", "Runtime.ExitError");

    /// <summary>Function.ResponseSizeTooLarge for a response over <paramref name="limit"/> bytes.</summary>
    public static LambdaError ResponseTooLarge(long limit) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Response payload size exceeded maximum allowed payload size ({limit} bytes)."), "Function.ResponseSizeTooLarge");
}
