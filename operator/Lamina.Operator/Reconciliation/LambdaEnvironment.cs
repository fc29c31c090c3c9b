using System.Globalization;
using k8s.Models;
using Lamina.Contracts.Lambda;
using Lamina.Contracts.Shim;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>The environment Lambda gives a runtime (docs/lambda-contracts.md#runtime-environment), and the names users may not set.</summary>
internal static class LambdaEnvironment
{
    /// <summary>Lambda's reserved environment variable names (AWS documents these as not settable).</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    };

    /// <summary>The function's ARN-style identifier.</summary>
    public static string FunctionArn(Function function, OperatorDefaults defaults) =>
        $"arn:aws:lambda:{defaults.Region}:{defaults.AccountId}:function:{Names.QualifiedName(function)}";

    /// <summary>The gateway path that invokes the function.</summary>
    public static string InvokePath(Function function) =>
        $"{LambdaInvokeApi.PathPrefix}{Names.QualifiedName(function)}{LambdaInvokeApi.PathSuffix}";

    /// <summary>
    /// The Lambda variables first (so users' values may refer to them with $(NAME)), then the user's.
    /// <paramref name="kind"/> sets AWS_LAMBDA_INITIALIZATION_TYPE, which runtimes read to tell provisioned from on-demand starts.
    /// </summary>
    public static List<V1EnvVar> For(Function function, EffectiveSpec spec, EnvironmentKind kind, OperatorDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(function);
        var name = function.Metadata.Name!;
        var env = new List<V1EnvVar>
        {
            new() { Name = ShimPodEnvironment.PodName, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
            new() { Name = ShimPodEnvironment.Namespace, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
            Literal("AWS_LAMBDA_FUNCTION_NAME", name),
            Literal("AWS_LAMBDA_FUNCTION_VERSION", LambdaInvokeApi.Latest),
            Literal("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", spec.MemoryMB.ToString(CultureInfo.InvariantCulture)),
            Literal("AWS_LAMBDA_LOG_GROUP_NAME", $"/aws/lambda/{name}"),
            Literal("AWS_LAMBDA_LOG_STREAM_NAME", $"$({ShimPodEnvironment.PodName})"),
            Literal("AWS_LAMBDA_INITIALIZATION_TYPE", Names.InitType(kind)),
            Literal("AWS_LAMBDA_RUNTIME_API", ShimPod.RuntimeApi),
            Literal("AWS_REGION", defaults.Region),
            Literal("AWS_DEFAULT_REGION", defaults.Region),
            Literal("LAMBDA_TASK_ROOT", "/var/task"),
            Literal("LAMBDA_RUNTIME_DIR", "/var/runtime"),
            Literal("TZ", ":UTC"),
            Literal("LANG", "en_US.UTF-8"),
            Literal(ShimPodEnvironment.FunctionArn, FunctionArn(function, defaults)),
            Literal(ShimPodEnvironment.TimeoutSeconds, spec.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)),
        };
        if (defaults.InvokeTokenHashes is { Length: > 0 } hashes)
        {
            env.Add(Literal(ShimPodEnvironment.InvokeTokenSha256, hashes));
        }

        // Lambda names a managed language runtime here (OS-only runtimes get none); an image says its own.
        if (function.Spec is { Code: not null, Runtime: { Length: > 0 } runtime } && !runtime.StartsWith("provided", StringComparison.Ordinal))
        {
            env.Add(Literal("AWS_EXECUTION_ENV", "AWS_Lambda_" + runtime));
        }

        if (spec.Handler is { Length: > 0 } handler)
        {
            env.Add(Literal("_HANDLER", handler));
        }

        env.AddRange(function.Spec.Env ?? []);
        return env;
    }

    /// <summary>
    /// The token hashes a Deployment's pods were given (the first container that has them), or null:
    /// what the reconciler keeps while the operator knows no good tokens, so a broken Secret rolls nothing.
    /// </summary>
    public static string? InvokeTokenHashesOf(V1Deployment? deployment)
    {
        foreach (var container in deployment?.Spec?.Template?.Spec?.Containers ?? [])
        {
            foreach (var variable in container.Env ?? [])
            {
                if (variable.Name == ShimPodEnvironment.InvokeTokenSha256 && variable.Value is { Length: > 0 } value)
                {
                    return value;
                }
            }
        }

        return null;
    }

    private static V1EnvVar Literal(string name, string value) => new() { Name = name, Value = value };
}
