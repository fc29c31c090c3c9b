namespace Lamina.Gateway.Routing;

/// <summary>Lambda's <c>Reason</c> values for a 429 TooManyRequestsException (docs/lambda-contracts.md#throttles).</summary>
internal static class ThrottleReasons
{
    /// <summary>The function's reserved concurrency is in use (or is 0).</summary>
    public const string ReservedConcurrency = "ReservedFunctionConcurrentInvocationLimitExceeded";

    /// <summary>The account's (the cluster pool's) unreserved concurrency is in use; also this replica's full queue.</summary>
    public const string Concurrency = "ConcurrentInvocationLimitExceeded";

    /// <summary>
    /// Lamina's own: the gateway replica holds as many request bodies as its budget allows. Lambda
    /// has no such limit; a client sees TooManyRequestsException, which the SDKs retry with backoff.
    /// </summary>
    public const string GatewayBuffers = "GatewayBodyBufferLimitExceeded";
}
