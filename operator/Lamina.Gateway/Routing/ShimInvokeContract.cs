namespace Lamina.Gateway.Routing;

/// <summary>
/// The gateway's side of the shim's invoke contract (docs/runtime-shim.md, "The invoke contract"):
/// the path and <c>Lamina-*</c> headers (the address comes with each lease). The names are the shim's own
/// (runtime-shim/Lamina.RuntimeShim/Invoke/InvokeContract.cs); the two programs share no assembly,
/// so a change there must be made here too.
/// </summary>
internal static class ShimInvokeContract
{
    /// <summary>The invoke path on every shim.</summary>
    public const string Path = "/lamina/v1/invoke";

    // Request headers.
    public const string RequestId = "Lamina-Request-Id";
    public const string ClientContext = "Lamina-Client-Context";
    public const string TraceId = "Lamina-Trace-Id";
    public const string LogType = "Lamina-Log-Type";
    public const string InvocationType = "Lamina-Invocation-Type";

    /// <summary>The gateway's token: the shim refuses the contract (401) without the operator's token.</summary>
    public const string Token = "Lamina-Token";

    /// <summary>The <see cref="LogType"/> value that asks for the log tail.</summary>
    public const string LogTypeTail = "Tail";

    // Response headers.
    public const string Status = "Lamina-Status";
    public const string FunctionError = "Lamina-Function-Error";
    public const string LogResult = "Lamina-Log-Result";

    /// <summary>The AWS error type of a rejected request, as Lambda names it.</summary>
    public const string ErrorType = "X-Amzn-ErrorType";

    /// <summary>Values of <see cref="Status"/>.</summary>
    public static class Statuses
    {
        /// <summary>200: the invocation ran; the body is its result or error document.</summary>
        public const string Completed = "completed";

        /// <summary>429: another invocation is in flight there; try another environment at once.</summary>
        public const string Busy = "busy";

        /// <summary>503: initialising, resetting after a timeout, or draining; try another environment.</summary>
        public const string Unavailable = "unavailable";

        /// <summary>400/413: the request itself is wrong; another environment would say the same.</summary>
        public const string Rejected = "rejected";
    }
}
