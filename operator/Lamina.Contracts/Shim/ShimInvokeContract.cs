namespace Lamina.Contracts.Shim;

/// <summary>
/// The invoke contract between a gateway and a function pod's shim (docs/runtime-shim.md, "The
/// invoke contract"): one POST to <see cref="Path"/> per invocation on the shim's
/// <see cref="ShimPod.InvokePort"/>, metadata in the <c>Lamina-*</c> <see cref="Headers"/>, the event
/// and the result as raw bodies. A request the shim refuses carries Lambda's error shape, with the
/// exception name in <see cref="Lambda.LambdaHeaders.ErrorType"/> (<c>X-Amzn-ErrorType</c>).
/// </summary>
public static class ShimInvokeContract
{
    /// <summary>The invoke path on every shim.</summary>
    public const string Path = "/lamina/v1/invoke";

    /// <summary>The contract's headers (request and response), each named once.</summary>
    public static class Headers
    {
        /// <summary>Request and response: the invocation's id, the same on every attempt.</summary>
        public const string RequestId = "Lamina-Request-Id";

        /// <summary>Request: the caller's deadline in Unix epoch milliseconds.</summary>
        public const string DeadlineMs = "Lamina-Deadline-Ms";

        /// <summary>Request: Lambda's client context, base64 JSON as the caller sent it.</summary>
        public const string ClientContext = "Lamina-Client-Context";

        /// <summary>Request: the Cognito identity, JSON.</summary>
        public const string CognitoIdentity = "Lamina-Cognito-Identity";

        /// <summary>Request: the X-Ray trace header.</summary>
        public const string TraceId = "Lamina-Trace-Id";

        /// <summary>Request: <see cref="Lambda.LambdaInvokeApi.LogTypes.Tail"/> asks for the log tail in <see cref="LogResult"/>.</summary>
        public const string LogType = "Lamina-Log-Type";

        /// <summary>Request: RequestResponse or Event (the async workers send Event).</summary>
        public const string InvocationType = "Lamina-Invocation-Type";

        /// <summary>Request: the gateway's token; the shim refuses the contract (401) without one whose hash the operator gave it.</summary>
        public const string Token = "Lamina-Token";

        /// <summary>Response: one of <see cref="Statuses"/>, so the gateway knows whether to try another environment.</summary>
        public const string Status = "Lamina-Status";

        /// <summary>Response: Unhandled when the function failed (Lambda's X-Amz-Function-Error).</summary>
        public const string FunctionError = "Lamina-Function-Error";

        /// <summary>
        /// Response: the error type of a function error (<c>Runtime.ExitError</c>, or what the runtime
        /// reported). Not <see cref="Lambda.LambdaHeaders.ErrorType"/>, which names the exception of a
        /// request that was refused.
        /// </summary>
        public const string FunctionErrorType = "Lamina-Error-Type";

        /// <summary>Response: the base64 log tail, when <see cref="LogType"/> asked for it.</summary>
        public const string LogResult = "Lamina-Log-Result";

        /// <summary>Response: "true" when this invocation started the runtime.</summary>
        public const string ColdStart = "Lamina-Cold-Start";

        /// <summary>Response: how long the runtime took to initialise, on a cold start.</summary>
        public const string InitDurationMs = "Lamina-Init-Duration-Ms";

        /// <summary>Response: how long the invocation ran.</summary>
        public const string DurationMs = "Lamina-Duration-Ms";
    }

    /// <summary>Values of <see cref="Headers.Status"/>.</summary>
    public static class Statuses
    {
        /// <summary>200: the invocation ran; the body is its result or error document.</summary>
        public const string Completed = "completed";

        /// <summary>429: another invocation is in flight there; try another environment at once.</summary>
        public const string Busy = "busy";

        /// <summary>503: initialising, resetting after a timeout, or draining; try another environment.</summary>
        public const string Unavailable = "unavailable";

        /// <summary>400/401/413: the request itself is wrong; another environment would say the same.</summary>
        public const string Rejected = "rejected";
    }
}
