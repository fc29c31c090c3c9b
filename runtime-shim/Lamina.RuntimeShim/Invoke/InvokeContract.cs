namespace Lamina.RuntimeShim.Invoke;

/// <summary>
/// The invoke contract between the gateway and a shim (docs/runtime-shim.md): one POST per invocation,
/// metadata in <c>Lamina-*</c> headers, the event and the result as raw bodies.
/// </summary>
internal static class InvokeContract
{
    /// <summary>The gateway's path.</summary>
    public const string Path = "/lamina/v1/invoke";

    /// <summary>RIE's path (any function name is accepted in place of "function": there is only one here).</summary>
    public const string RiePrefix = "/2015-03-31/functions/";
    public const string RieSuffix = "/invocations";

    // Request headers.
    public const string RequestId = "Lamina-Request-Id";
    public const string DeadlineMs = "Lamina-Deadline-Ms";
    public const string ClientContext = "Lamina-Client-Context";
    public const string CognitoIdentity = "Lamina-Cognito-Identity";
    public const string TraceId = "Lamina-Trace-Id";
    public const string LogType = "Lamina-Log-Type";
    public const string InvocationType = "Lamina-Invocation-Type";

    /// <summary>The gateway's credential (<see cref="InvokeTokens"/>).</summary>
    public const string Token = "Lamina-Token";

    // Response headers.
    public const string Status = "Lamina-Status";
    public const string FunctionError = "Lamina-Function-Error";
    public const string ErrorType = "Lamina-Error-Type";
    public const string LogResult = "Lamina-Log-Result";
    public const string ColdStart = "Lamina-Cold-Start";
    public const string InitDurationMs = "Lamina-Init-Duration-Ms";
    public const string DurationMs = "Lamina-Duration-Ms";

    /// <summary>Values of <see cref="Status"/>.</summary>
    public static class Statuses
    {
        /// <summary>The invocation ran; the body is its result (or function error).</summary>
        public const string Completed = "completed";

        /// <summary>Another invocation is in flight here: try another environment (HTTP 429).</summary>
        public const string Busy = "busy";

        /// <summary>Not initialised, resetting or draining: try another environment (HTTP 503).</summary>
        public const string Unavailable = "unavailable";

        /// <summary>The request itself is wrong; retrying elsewhere will not help (HTTP 4xx).</summary>
        public const string Rejected = "rejected";
    }

    /// <summary>
    /// Lambda's limit on X-Amz-Client-Context, base64 as sent ("at most 3583 bytes").
    /// </summary>
    public const int MaximumClientContextLength = 3583;
}
