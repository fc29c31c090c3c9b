namespace Lamina.Contracts.Shim;

/// <summary>
/// The shim's own environment variables, which the operator sets on the function container and the
/// shim reads (Lambda's own variables, AWS_*, are Lambda's contract with the runtime). The shim
/// removes the token hashes before it starts the runtime.
/// </summary>
public static class ShimPodEnvironment
{
    /// <summary>Names starting with this are the shim's own settings; users may not set them.</summary>
    public const string ReservedPrefix = "LAMINA_";

    /// <summary>The pod's own name, for the log stream (downward API).</summary>
    public const string PodName = "LAMINA_POD_NAME";

    /// <summary>The pod's namespace, which the shim puts on its metrics next to the function's name (downward API).</summary>
    public const string Namespace = "LAMINA_NAMESPACE";

    /// <summary>The gateways' token hashes (SHA-256, hexadecimal, comma-separated); the shim refuses every caller without it.</summary>
    public const string InvokeTokenSha256 = "LAMINA_INVOKE_TOKEN_SHA256";

    /// <summary>The function's ARN, for the runtime's context.</summary>
    public const string FunctionArn = "LAMINA_FUNCTION_ARN";

    /// <summary>The function's timeout in seconds.</summary>
    public const string TimeoutSeconds = "LAMINA_TIMEOUT_SECONDS";
}
