using System.Collections;
using System.Net;
using Lamina.Contracts.Lambda;
using Lamina.Contracts.Shim;
using Lamina.RuntimeShim.Supervision;

namespace Lamina.RuntimeShim.Hosting;

/// <summary>
/// The runtime's environment (docs/lambda-contracts.md#runtime-environment): the shim's own variables (in a pod the operator
/// has set the Lambda ones), AWS_LAMBDA_RUNTIME_API pointing at this shim, and RIE's defaults for any
/// Lambda variable still missing, so a runtime that insists on them starts outside a pod too.
/// </summary>
internal static class RuntimeEnvironment
{
    public static RuntimeLaunch Launch(ShimOptions options, IDictionary inherited, Func<string, bool> directoryExists)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(inherited);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in inherited)
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                variables[key] = value;
            }
        }

        variables["AWS_LAMBDA_RUNTIME_API"] = Format(options.RuntimeApiEndpoint);
        // Any value switches AWS's runtime clients into multi-concurrency mode (several events in
        // flight); an environment here runs one invocation at a time, as Lambda's do.
        variables.Remove("AWS_LAMBDA_MAX_CONCURRENCY");
        // The shim's own credential check is nothing the function needs to see.
        variables.Remove(ShimPodEnvironment.InvokeTokenSha256);
        var name = Default(variables, "AWS_LAMBDA_FUNCTION_NAME", "function");
        Default(variables, "AWS_LAMBDA_FUNCTION_VERSION", LambdaInvokeApi.Latest);
        // RIE's default: Lambda's largest memory size before 2020, so a local run is not starved.
        Default(variables, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "3008");
        Default(variables, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        Default(variables, "AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name);
        Default(variables, "AWS_LAMBDA_LOG_STREAM_NAME", variables.GetValueOrDefault(ShimPodEnvironment.PodName) is { Length: > 0 } pod ? pod : "$LATEST");
        var region = Default(variables, "AWS_REGION", "us-east-1");
        Default(variables, "AWS_DEFAULT_REGION", region);
        Default(variables, "TZ", ":UTC");
        Default(variables, "LANG", "en_US.UTF-8");
        // Absolute, because the runtime starts in it: a relative path would no longer resolve there.
        var taskRoot = variables["LAMBDA_TASK_ROOT"] = Path.GetFullPath(
            Default(variables, "LAMBDA_TASK_ROOT", directoryExists("/var/task") ? "/var/task" : System.Environment.CurrentDirectory));
        Default(variables, "LAMBDA_RUNTIME_DIR", "/var/runtime");

        return new RuntimeLaunch
        {
            Command = options.RuntimeCommand,
            Environment = variables,
            // Lambda starts the runtime in the task root.
            WorkingDirectory = directoryExists(taskRoot) ? taskRoot : null,
        };
    }

    private static string Default(Dictionary<string, string> variables, string name, string value)
    {
        if (!variables.TryGetValue(name, out var existing) || existing.Length == 0)
        {
            variables[name] = value;
            return value;
        }

        return existing;
    }

    // IPEndPoint writes an IPv6 host in brackets ([::1]:9001), as the runtime's http://${AWS_LAMBDA_RUNTIME_API}/ needs.
    private static string Format(IPEndPoint endpoint) => endpoint.ToString();
}
