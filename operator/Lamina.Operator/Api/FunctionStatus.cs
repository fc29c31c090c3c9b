using k8s.Models;

namespace Lamina.Operator.Api;

/// <summary>What the operator observed about a function.</summary>
public sealed class FunctionStatus
{
    [Doc("The generation of the spec this status describes.")]
    public long? ObservedGeneration { get; set; }

    [ListMapKey("type")]
    [Doc("Ready, ConfigValid, DeploymentReady and EnvironmentsHealthy.")]
    public List<V1Condition>? Conditions { get; set; }

    [Doc("Execution environments (pods) that exist.")]
    public int? Replicas { get; set; }

    [Doc("Execution environments ready to take an invocation.")]
    public int? ReadyReplicas { get; set; }

    [Doc("The function's ARN-style identifier, as callers may name it.")]
    public string? FunctionArn { get; set; }

    [Doc("The gateway path that invokes the function.")]
    public string? InvokePath { get; set; }
}
