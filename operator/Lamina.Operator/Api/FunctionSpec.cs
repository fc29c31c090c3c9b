using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Lamina.Operator.Api;

/// <summary>A function's configuration, named after Lambda's.</summary>
public sealed class FunctionSpec
{
    [RequiredField]
    [Text(MinLength = 1)]
    [Doc("The container image with the function's code and its Lambda runtime (e.g. an AWS base image, or any image with a runtime interface client).")]
    public string Image { get; set; } = "";

    [DefaultValue(FunctionDefaults.CommandJson)]
    [Doc("The runtime's entrypoint; the runtime shim starts it as its child. Default: the AWS base images' /lambda-entrypoint.sh.")]
    public List<string>? Command { get; set; }

    [Doc("Arguments to the command. Default: [handler] when a handler is set, as the AWS base images expect.")]
    public List<string>? Args { get; set; }

    [Doc("The handler, e.g. index.handler; given to the runtime as _HANDLER.")]
    public string? Handler { get; set; }

    [ListMapKey("name")]
    [Doc("Environment variables (valueFrom allowed). Lambda's reserved names (AWS_LAMBDA_*, _HANDLER, LAMBDA_TASK_ROOT…) are rejected; literal values may total 4 KB.")]
    public List<V1EnvVar>? Env { get; set; }

    [Range(FunctionDefaults.MemoryMB, FunctionDefaults.MaxMemoryMB)]
    [DefaultValue(FunctionDefaults.MemoryMB)]
    [JsonPropertyName("memoryMB")]
    [Doc("Memory in MB (128-10240): the container's memory limit; CPU is requested in proportion, 1 vCPU per 1769 MB as in Lambda.")]
    public int? MemoryMB { get; set; }

    [Range(1, FunctionDefaults.MaxTimeoutSeconds)]
    [DefaultValue(FunctionDefaults.TimeoutSeconds)]
    [Doc("How long one invocation may run, in seconds (1-900).")]
    public int? TimeoutSeconds { get; set; }

    [DefaultValue("{}")]
    [Doc("Reserved and provisioned concurrency.")]
    public FunctionConcurrency? Concurrency { get; set; }

    [DefaultValue("{}")]
    [Doc("Scaling settings.")]
    public FunctionScaling? Scaling { get; set; }

    [DefaultValue("{}")]
    [Doc("Asynchronous (Event) invocation settings.")]
    public FunctionAsync? Async { get; set; }

    /// <summary>Fields this model does not name.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
