namespace Lamina.RuntimeShim.Execution;

/// <summary>A Runtime API call the environment refuses: the HTTP status and Lambda's error document for the runtime.</summary>
internal sealed class RuntimeApiRefusal(int statusCode, string errorType, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public LambdaError Error { get; } = new(message, errorType);

    public static RuntimeApiRefusal UnknownRequest(string requestId) =>
        new(StatusCodes.Status400BadRequest, "InvalidRequestID", $"Invalid request ID: {requestId} is not the invocation in progress");

    public static RuntimeApiRefusal InvalidState(string message) =>
        new(StatusCodes.Status403Forbidden, "InvalidStateTransition", message);
}
