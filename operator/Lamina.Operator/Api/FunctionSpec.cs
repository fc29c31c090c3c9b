using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Lamina.Operator.Api;

/// <summary>A function's configuration, named after Lambda's.</summary>
[OneOfRequired("image")]
[OneOfRequired("code")]
public sealed class FunctionSpec
{
    [Text(MinLength = 1)]
    [Doc("The container image with the function's code and its Lambda runtime (e.g. an AWS base image, or any image with a runtime interface client). Exactly one of image and code.")]
    public string? Image { get; set; }

    [Text(MinLength = 1, MaxLength = 63, Pattern = FunctionDefaults.RuntimePattern)]
    [Doc("The managed runtime that runs code (nodejs22.x, python3.11, provided.al2023, provided.al2; the installation's list is in the chart's operator.runtimes). Required with code; refused with image, which brings its own.")]
    public string? Runtime { get; set; }

    [Doc("The function's zip, unpacked read-only into /var/task before the runtime starts. Exactly one of image and code.")]
    public FunctionCode? Code { get; set; }

    [MaxItems(FunctionDefaults.MaxLayers)]
    [Doc("Layers (at most 5), unpacked into /opt in this order, each over the previous, before the function's code runs. Only with code.")]
    public List<FunctionLayer>? Layers { get; set; }

    [DefaultValue("{}")]
    [Doc("The function's /tmp, as Lambda's ephemeral storage.")]
    public FunctionEphemeralStorage? EphemeralStorage { get; set; }

    // No schema default: an image function's command defaults to /lambda-entrypoint.sh, a code function's to its runtime's.
    [Doc("The runtime's entrypoint; the runtime shim starts it as its child. Default: the runtime's command with code, else the AWS base images' /lambda-entrypoint.sh.")]
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
