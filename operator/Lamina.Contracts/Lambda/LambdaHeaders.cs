namespace Lamina.Contracts.Lambda;

/// <summary>
/// Lambda's own wire headers on the Invoke API, as the AWS SDKs send and read them. The gateway
/// speaks them to callers and the shim on its local (RIE-compatible) path; the shim's invoke
/// contract uses them only for <see cref="ErrorType"/> on a refused request.
/// </summary>
public static class LambdaHeaders
{
    /// <summary>Request: RequestResponse (the default), Event or DryRun (<see cref="LambdaInvokeApi.InvocationTypes"/>).</summary>
    public const string InvocationType = "X-Amz-Invocation-Type";

    /// <summary>Request: None or Tail (<see cref="LambdaInvokeApi.LogTypes"/>).</summary>
    public const string LogType = "X-Amz-Log-Type";

    /// <summary>Request: base64 JSON, at most <see cref="LambdaInvokeApi.MaximumClientContextLength"/> characters.</summary>
    public const string ClientContext = "X-Amz-Client-Context";

    /// <summary>Request: the X-Ray trace header.</summary>
    public const string TraceId = "X-Amzn-Trace-Id";

    /// <summary>Response: the invocation's id (the SDKs read either spelling).</summary>
    public const string RequestId = "X-Amz-Request-Id";

    /// <summary>Response: the invocation's id, as Lambda's newer responses spell it.</summary>
    public const string AmznRequestId = "x-amzn-RequestId";

    /// <summary>Response: the version that ran.</summary>
    public const string ExecutedVersion = "X-Amz-Executed-Version";

    /// <summary>Response: Unhandled when the function failed (Lambda's value for every function error on current runtimes).</summary>
    public const string FunctionError = "X-Amz-Function-Error";

    /// <summary>Response: the base64 log tail of a Tail invocation.</summary>
    public const string LogResult = "X-Amz-Log-Result";

    /// <summary>Response: the exception name of a refused request (the SDKs turn it into their exception type).</summary>
    public const string ErrorType = "X-Amzn-ErrorType";
}
