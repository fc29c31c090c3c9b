using k8s.Models;

namespace Lamina.Operator.Reconciliation;

/// <summary>Reads a Deployment's rollout state into the DeploymentReady condition.</summary>
internal static class DeploymentReadiness
{
    /// <summary>The condition's status, reason and message for <paramref name="deployment"/>.</summary>
    public static (string Status, string Reason, string Message) Of(V1Deployment? deployment)
    {
        if (deployment is null)
        {
            return (FunctionConditions.Unknown, "Creating", "the Deployment is being created");
        }

        var status = deployment.Status;
        var wanted = deployment.Spec?.Replicas ?? 1;
        if (status?.ObservedGeneration is not { } observed || observed < (deployment.Metadata.Generation ?? 0))
        {
            return (FunctionConditions.Unknown, "Progressing", "waiting for the Deployment controller to observe the current spec");
        }

        foreach (var condition in status.Conditions ?? [])
        {
            if (condition is { Type: "Progressing", Status: "False", Reason: "ProgressDeadlineExceeded" })
            {
                return (FunctionConditions.False, "ProgressDeadlineExceeded", condition.Message ?? "the rollout did not progress");
            }

            if (condition is { Type: "ReplicaFailure", Status: "True" })
            {
                return (FunctionConditions.False, "ReplicaFailure", condition.Message ?? "pods could not be created");
            }
        }

        var updated = status.UpdatedReplicas ?? 0;
        var available = status.AvailableReplicas ?? 0;
        var total = status.Replicas ?? 0;
        if (updated < wanted || total > updated)
        {
            return (FunctionConditions.Unknown, "RollingOut", $"{available} of {wanted} execution environments available");
        }

        if (available < wanted)
        {
            // Every pod runs the current spec and some are still starting: the autoscaler added them
            // (invocations wait for them), which is no rollout and leaves the function invocable.
            return (FunctionConditions.True, "ScalingUp", $"{available} of {wanted} execution environments available; the rest are starting");
        }

        return wanted == 0
            ? (FunctionConditions.True, "ScaledToZero", "no execution environments: the first invocation starts one")
            : (FunctionConditions.True, "Available", $"{available} execution environments available");
    }
}
