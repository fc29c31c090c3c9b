using Lamina.Contracts.Shim;

namespace Lamina.RuntimeShim.Hosting;

/// <summary>Which function this environment belongs to, from the variables the operator sets in the pod.</summary>
internal sealed record FunctionIdentity(string Namespace, string Name, string InitializationType)
{
    /// <summary>
    /// LAMINA_NAMESPACE and AWS_LAMBDA_FUNCTION_NAME, as the operator sets them; "local" and
    /// "function" (RIE's name) when the shim runs outside a pod.
    /// </summary>
    public static FunctionIdentity FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new(
            NonEmpty(environment(ShimPodEnvironment.Namespace)) ?? "local",
            NonEmpty(environment("AWS_LAMBDA_FUNCTION_NAME")) ?? "function",
            NonEmpty(environment("AWS_LAMBDA_INITIALIZATION_TYPE")) ?? "on-demand");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
