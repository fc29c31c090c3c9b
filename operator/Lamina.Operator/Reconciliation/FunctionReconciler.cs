using System.Text.Json.Nodes;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Events;
using k8s;
using k8s.Models;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// Brings one Function's children in line with its spec and reports what it saw. Reconcile is a
/// short list of phases (validate, Deployment, Service, pods), each updating the status in memory; the
/// status is written once at the end, and only when it changed, so a reconcile of an unchanged
/// function makes no write at all. API errors propagate: the work queue retries with backoff.
/// </summary>
internal sealed partial class FunctionReconciler(
    IKubernetesClient client,
    IObjectLister<Function> functions,
    IObjectLister<V1Deployment> deployments,
    IObjectLister<V1Service> services,
    IPodLister pods,
    IEventRecorder events,
    OperatorDefaults defaults,
    TimeProvider time,
    ILogger<FunctionReconciler> logger)
{
    private static readonly ApplyOptions Apply = new(Names.FieldManager, Force: true);

    /// <summary>Reconciles the function <paramref name="ns"/>/<paramref name="name"/> (nothing when it is gone).</summary>
    public async Task ReconcileAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var function = functions.Get(ns, name);
        if (function is null || function.Metadata.DeletionTimestamp is not null)
        {
            return; // its children carry controller owner references: garbage collection removes them
        }

        var generation = function.Metadata.Generation;
        var now = time.GetUtcNow();
        var conditions = function.Status?.Conditions;
        var previousConfig = FunctionConditions.Find(conditions, FunctionConditions.ConfigValid);
        var status = new FunctionStatus
        {
            ObservedGeneration = generation,
            FunctionArn = LambdaEnvironment.FunctionArn(function, defaults),
            InvokePath = LambdaEnvironment.InvokePath(function),
            Replicas = function.Status?.Replicas,
            ReadyReplicas = function.Status?.ReadyReplicas,
        };

        var problems = SpecValidator.Validate(function, target => functions.Get(ns, target) is not null);
        if (problems.Count > 0)
        {
            var message = string.Join("; ", problems);
            conditions = FunctionConditions.Set(conditions, FunctionConditions.ConfigValid, FunctionConditions.False, "InvalidSpec", message, generation, now);
            conditions = FunctionConditions.Set(conditions, FunctionConditions.Ready, FunctionConditions.False, "InvalidSpec", message, generation, now);
            if (previousConfig?.Status != FunctionConditions.False || previousConfig.Message != message)
            {
                events.Warning(function, "InvalidSpec", message);
                LogInvalidSpec(ns, name, message);
            }
        }
        else
        {
            conditions = FunctionConditions.Set(conditions, FunctionConditions.ConfigValid, FunctionConditions.True, "Valid", "the spec passed every check", generation, now);
            var deployment = await ReconcileChildAsync(function, DeploymentBuilder.Build(function, defaults), deployments, cancellationToken).ConfigureAwait(false);
            await ReconcileChildAsync(function, ServiceBuilder.Build(function), services, cancellationToken).ConfigureAwait(false);

            var (deploymentStatus, reason, message) = deployment.Owned
                ? DeploymentReadiness.Of(deployment.Current)
                : (FunctionConditions.False, "NotOwned", $"Deployment {Names.Deployment(function)} exists and is not controlled by this function");
            conditions = FunctionConditions.Set(conditions, FunctionConditions.DeploymentReady, deploymentStatus, reason, message, generation, now);

            var (healthStatus, healthReason, healthMessage) = EnvironmentHealth.Of(
                pods.ListForFunction(ns, name), FunctionConditions.Find(conditions, FunctionConditions.EnvironmentsHealthy));
            conditions = FunctionConditions.Set(conditions, FunctionConditions.EnvironmentsHealthy, healthStatus, healthReason, healthMessage, generation, now);
            var readyReplicas = deployment.Current?.Status?.ReadyReplicas ?? 0;
            // Nothing can take an invocation and the pods say why: that is more use to the reader than "RollingOut".
            var (readyStatus, readyReason, readyMessage) = deployment.Owned && healthStatus == FunctionConditions.False && readyReplicas == 0
                ? (healthStatus, healthReason, healthMessage)
                : deploymentStatus == FunctionConditions.True
                    ? (FunctionConditions.True, "Ready", "the function can be invoked")
                    : (deploymentStatus, reason, message);
            conditions = FunctionConditions.Set(conditions, FunctionConditions.Ready, readyStatus, readyReason, readyMessage, generation, now);
            status.Replicas = deployment.Current?.Status?.Replicas ?? 0;
            status.ReadyReplicas = readyReplicas;
        }

        status.Conditions = conditions;
        await WriteStatusIfChangedAsync(function, status, cancellationToken).ConfigureAwait(false);
    }

    private sealed record ChildState<T>(T? Current, bool Owned);

    /// <summary>Creates the child, or repairs it when a field the operator sets differs; otherwise writes nothing.</summary>
    private async Task<ChildState<T>> ReconcileChildAsync<T>(Function function, T desired, IObjectLister<T> lister, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var kind = ResourceType.Of<T>().Kind;
        var name = desired.Metadata.Name!;
        var actual = lister.Get(desired.Metadata.NamespaceProperty, name);
        if (actual is not null && !OwnerReferences.IsControlledBy(actual.Metadata, function))
        {
            return new ChildState<T>(actual, Owned: false);
        }

        var difference = actual is null
            ? null
            : SemanticSubset.FirstDifference(ObjectJson.ToNode(desired), ObjectJson.ToNode(actual));
        if (actual is not null && difference is null)
        {
            return new ChildState<T>(actual, Owned: true);
        }

        var verb = actual is null ? "Created" : "Updated";
        try
        {
            var applied = await client.ApplyAsync(desired, Apply, cancellationToken: cancellationToken).ConfigureAwait(false);
            events.Normal(function, verb, actual is null ? $"Created {kind} {name}" : $"Updated {kind} {name}: {difference} differed from the spec");
            LogChildWritten(function.Metadata.NamespaceProperty!, function.Metadata.Name!, verb, kind, name, difference ?? "(new)");
            return new ChildState<T>(applied, Owned: true);
        }
        catch (KubernetesApiException error)
        {
            events.Warning(function, actual is null ? "CreateFailed" : "UpdateFailed", $"{kind} {name}: {error.Message}");
            throw;
        }
    }

    private async Task WriteStatusIfChangedAsync(Function function, FunctionStatus status, CancellationToken cancellationToken)
    {
        var before = function.Status is null ? null : ObjectJson.ToNode(function.Status);
        var after = ObjectJson.ToNode(status);
        if (JsonNode.DeepEquals(before, after))
        {
            return;
        }

        var apply = new FunctionStatusApply
        {
            Metadata = new V1ObjectMeta { Name = function.Metadata.Name, NamespaceProperty = function.Metadata.NamespaceProperty },
            Status = status,
        };
        await client.ApplyAsync(apply, Apply, "status", cancellationToken).ConfigureAwait(false);
    }
}
