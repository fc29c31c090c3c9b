namespace Lamina.Contracts.Lambda;

/// <summary>
/// Lambda's Invoke API as Lamina serves it (the gateway; the shim in --local mode, as RIE does):
/// <c>POST /2015-03-31/functions/{FunctionName}/invocations</c>, its parameter values and limits.
/// </summary>
public static class LambdaInvokeApi
{
    /// <summary>The path before the function's name.</summary>
    public const string PathPrefix = "/2015-03-31/functions/";

    /// <summary>The path after the function's name.</summary>
    public const string PathSuffix = "/invocations";

    /// <summary>Lambda's synchronous payload limit: "Request must be smaller than 6291456 bytes for the InvokeFunction operation".</summary>
    public const int MaximumPayload = 6_291_456;

    /// <summary>Lambda's limit on X-Amz-Client-Context, base64 as sent ("at most 3583 bytes").</summary>
    public const int MaximumClientContextLength = 3583;

    /// <summary>The version every invocation runs until versions land.</summary>
    public const string Latest = "$LATEST";

    /// <summary>Values of <see cref="LambdaHeaders.InvocationType"/>.</summary>
    public static class InvocationTypes
    {
        /// <summary>Synchronous: the answer is the result.</summary>
        public const string RequestResponse = "RequestResponse";

        /// <summary>Asynchronous: queued, answered 202.</summary>
        public const string Event = "Event";

        /// <summary>Checks the request and runs nothing: 204.</summary>
        public const string DryRun = "DryRun";
    }

    /// <summary>
    /// Values of <see cref="LambdaHeaders.FunctionError"/>. Every function error is <see cref="Unhandled"/>:
    /// one the runtime reports through the Runtime API (a handler that raised, threw, rejected or called
    /// back with an error) and one the platform detects (timeout, the runtime exiting, an init failure,
    /// an oversized response, an environment lost), as Lambda answers on every current managed runtime.
    /// Lambda's other value, <c>Handled</c>, came only from the retired Node.js 0.10 <c>context.fail</c>,
    /// so Lamina never produces it (docs/lambda-contracts.md#function-errors).
    /// </summary>
    public static class FunctionErrors
    {
        public const string Unhandled = "Unhandled";
    }

    /// <summary>Values of <see cref="LambdaHeaders.LogType"/>.</summary>
    public static class LogTypes
    {
        /// <summary>No log tail (the default).</summary>
        public const string None = "None";

        /// <summary>The last 4 KB of the invocation's log, base64, in X-Amz-Log-Result.</summary>
        public const string Tail = "Tail";
    }
}
