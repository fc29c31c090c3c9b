namespace Lamina.Contracts.Lambda;

/// <summary>
/// The error codes of Lambda's API that Lamina answers with (the <c>X-Amzn-ErrorType</c> header and
/// the body's <c>Type</c>; docs/lambda-contracts.md lists when each is used), and the messages the
/// SDKs and users match on. One place for the gateway and the shim (which answers in --local mode as
/// the Runtime Interface Emulator does), so a code cannot be spelled two ways.
/// </summary>
public static class LambdaErrorCodes
{
    /// <summary>400: a parameter's value is not valid.</summary>
    public const string InvalidParameterValue = "InvalidParameterValueException";

    /// <summary>400: the request body is not valid (JSON expected).</summary>
    public const string InvalidRequestContent = "InvalidRequestContentException";

    /// <summary>403: the caller may not do this.</summary>
    public const string AccessDenied = "AccessDeniedException";

    /// <summary>404: no such function.</summary>
    public const string ResourceNotFound = "ResourceNotFoundException";

    /// <summary>404 (the emulator's): an operation that is not served.</summary>
    public const string UnknownOperation = "UnknownOperationException";

    /// <summary>413: the synchronous request payload is over its limit.</summary>
    public const string RequestTooLarge = "RequestTooLargeException";

    /// <summary>413: the Event payload is over its limit.</summary>
    public const string RequestEntityTooLarge = "RequestEntityTooLargeException";

    /// <summary>429: a concurrency limit or the rate; the body's <c>Reason</c> says which.</summary>
    public const string TooManyRequests = "TooManyRequestsException";

    /// <summary>500: Lamina itself failed.</summary>
    public const string Service = "ServiceException";

    /// <summary>502: no execution environment could take the invocation.</summary>
    public const string ResourceNotReady = "ResourceNotReadyException";

    /// <summary>Lambda's message of a throttle without a more specific one.</summary>
    public const string RateExceeded = "Rate Exceeded.";
}
