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

    [Doc("Pods that exist, on-demand and provisioned (the Deployments' replicas).")]
    public int? Replicas { get; set; }

    [Doc("Pods ready, on-demand and provisioned (the Deployments' ready replicas).")]
    public int? ReadyReplicas { get; set; }

    [Doc("Execution environments the autoscaler wants, provisioned ones included (the concurrency controller's view).")]
    public int? DesiredEnvironments { get; set; }

    [Doc("Execution environments that can take an invocation now (the concurrency controller's view).")]
    public int? ReadyEnvironments { get; set; }

    [Doc("Execution environments running an invocation when the status was written, as the gateways report; not rewritten at every change.")]
    public int? BusyEnvironments { get; set; }

    [Doc("Provisioned-concurrency execution environments ready now, of spec.concurrency.provisioned.")]
    public int? ProvisionedReady { get; set; }

    [Doc("The autoscaler's last decision that changed the desired environments.")]
    public FunctionScaleEvent? LastScale { get; set; }

    [Doc("The function's ARN-style identifier, as callers may name it.")]
    public string? FunctionArn { get; set; }

    [Doc("The gateway path that invokes the function.")]
    public string? InvokePath { get; set; }
}
