using System.Text.Json.Nodes;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Events;
using k8s;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Operator.Concurrency;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// Brings one Function's children in line with its spec and reports what it saw. Reconcile is a
/// short list of phases (validate, pool admission, the on-demand and provisioned Deployments, Service,
/// pods), each updating the status in memory; the status is written once at the end, and only when it
/// changed, so a reconcile of an unchanged function makes no write at all. API errors propagate: the
/// work queue retries with backoff.
/// </summary>
internal sealed partial class FunctionReconciler(
    IKubernetesClient client,
    IObjectLister<Function> functions,
    IObjectLister<V1Deployment> deployments,
    IObjectLister<V1Service> services,
    IObjectLister<V1ConfigMap> configMaps,
    IPodLister pods,
    IScaleSource scale,
    ConcurrencyOptions concurrency,
    IEventRecorder events,
    OperatorDefaults defaults,
    TimeProvider time,
    ILogger<FunctionReconciler> logger)
{
    /// <summary>The Ready reason of a function whose reservation the cluster pool refused.</summary>
    public const string PoolExceeded = "ConcurrencyPoolExceeded";

    private static readonly ApplyOptions Apply = new(Names.FieldManager, Force: true);

    /// <summary>The gateways' token hashes for function pods (set by the controller as it reads the Secret; null: none).</summary>
    public string? InvokeTokenHashes { get; set; }

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
        var functionScale = scale.Get(ns, name);
        SetScaleFigures(status, function.Status, functionScale);

        var problems = SpecValidator.Validate(function, target => functions.Get(ns, target) is not null, defaults.Runtimes);
        FunctionPackage? package = null;
        if (problems.Count == 0 && function.Spec.Code is not null)
        {
            // The code a zip function's pods fetch; a ConfigMap source is read (and hashed) from the cache.
            (package, var problem) = FunctionPackages.Resolve(function, defaults, configMaps);
            problems = problem is null ? [] : [problem];
        }

        if (problems.Count > 0)
        {
            // The first problem names the reason (InvalidSpec, UnsupportedRuntime, CodeConfigMapNotFound, …); the message names them all.
            var reason = problems[0].Reason;
            var message = string.Join("; ", problems.Select(p => p.Message));
            conditions = FunctionConditions.Set(conditions, FunctionConditions.ConfigValid, FunctionConditions.False, reason, message, generation, now);
            conditions = FunctionConditions.Set(conditions, FunctionConditions.Ready, FunctionConditions.False, reason, message, generation, now);
            if (previousConfig?.Status != FunctionConditions.False || previousConfig.Message != message)
            {
                events.Warning(function, reason, message);
                LogInvalidSpec(ns, name, message);
            }
        }
        else
        {
            conditions = FunctionConditions.Set(conditions, FunctionConditions.ConfigValid, FunctionConditions.True, "Valid", "the spec passed every check", generation, now);
            // A function without a reservation is always admitted: only a reservation costs a look at the others.
            var refusal = function.Spec.Concurrency?.Reserved is null ? null : ReservationAdmission.Admit(functions.List(), concurrency).RefusalOf(ns, name);
            var (onDemand, provisioned) = await ReconcileDeploymentsAsync(function, package, refusal, functionScale, cancellationToken).ConfigureAwait(false);
            await ReconcileChildAsync(function, ServiceBuilder.Build(function), services, cancellationToken).ConfigureAwait(false);

            var (deploymentStatus, reason, message) = DeploymentCondition(onDemand, provisioned);
            conditions = FunctionConditions.Set(conditions, FunctionConditions.DeploymentReady, deploymentStatus, reason, message, generation, now);

            var (healthStatus, healthReason, healthMessage) = EnvironmentHealth.Of(
                pods.ListForFunction(ns, name), FunctionConditions.Find(conditions, FunctionConditions.EnvironmentsHealthy));
            conditions = FunctionConditions.Set(conditions, FunctionConditions.EnvironmentsHealthy, healthStatus, healthReason, healthMessage, generation, now);
            var readyReplicas = (onDemand.Current?.Status?.ReadyReplicas ?? 0) + (provisioned?.Current?.Status?.ReadyReplicas ?? 0);
            var owned = onDemand.Owned && provisioned?.Owned != false;
            var (readyStatus, readyReason, readyMessage) =
                refusal is not null
                    ? (FunctionConditions.False, PoolExceeded, refusal)
                    // Nothing can take an invocation and the pods say why: that is more use to the reader than "RollingOut".
                    : owned && healthStatus == FunctionConditions.False && readyReplicas == 0
                        ? (healthStatus, healthReason, healthMessage)
                        : deploymentStatus == FunctionConditions.True
                            ? (FunctionConditions.True, "Ready", "the function can be invoked")
                            : (deploymentStatus, reason, message);
            conditions = FunctionConditions.Set(conditions, FunctionConditions.Ready, readyStatus, readyReason, readyMessage, generation, now);
            status.Replicas = (onDemand.Current?.Status?.Replicas ?? 0) + (provisioned?.Current?.Status?.Replicas ?? 0);
            status.ReadyReplicas = readyReplicas;
        }

        status.Conditions = conditions;
        await WriteStatusIfChangedAsync(function, status, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The on-demand Deployment, with the controller's replicas (else the Deployment's own, else 0: a
    /// new function has no environment until its first invocation), and the provisioned one while
    /// provisioned concurrency is above 0. A function the pool refused gets no environments at all:
    /// its invocations are refused until it fits.
    /// </summary>
    private async Task<(ChildState<V1Deployment> OnDemand, ChildState<V1Deployment>? Provisioned)> ReconcileDeploymentsAsync(
        Function function, FunctionPackage? package, string? refusal, FunctionScale? functionScale, CancellationToken cancellationToken)
    {
        var provisionedConcurrency = EffectiveSpec.Of(function.Spec).Provisioned;
        var onDemandReplicas = refusal is not null
            ? 0
            : functionScale?.OnDemandReplicas ?? deployments.Get(function.Metadata.NamespaceProperty, Names.Deployment(function))?.Spec?.Replicas ?? 0;
        var onDemand = await ReconcileDeploymentAsync(function, package, EnvironmentKind.OnDemand, onDemandReplicas, cancellationToken).ConfigureAwait(false);
        if (refusal is null && provisionedConcurrency > 0)
        {
            return (onDemand, await ReconcileDeploymentAsync(function, package, EnvironmentKind.Provisioned, provisionedConcurrency, cancellationToken).ConfigureAwait(false));
        }

        var why = refusal is null ? "spec.concurrency.provisioned is 0" : "the cluster pool refused the function's reserved concurrency";
        await DeleteProvisionedAsync(function, why, cancellationToken).ConfigureAwait(false);
        return (onDemand, null);
    }

    /// <summary>
    /// The concurrency controller's figures when it has a view; otherwise the previous ones, so that
    /// a reconcile before the controller's first view (a new leader) neither blanks nor rewrites them.
    /// </summary>
    private static void SetScaleFigures(FunctionStatus status, FunctionStatus? previous, FunctionScale? scale)
    {
        status.DesiredEnvironments = scale?.Desired ?? previous?.DesiredEnvironments;
        status.ReadyEnvironments = scale?.Ready ?? previous?.ReadyEnvironments;
        status.BusyEnvironments = scale?.Busy ?? previous?.BusyEnvironments;
        status.ProvisionedReady = scale?.ProvisionedReady ?? previous?.ProvisionedReady;
        // A controller that has not decided yet (a new leader) does not erase its predecessor's last decision.
        status.LastScale = scale?.LastScale is { } last
            ? new FunctionScaleEvent
            {
                Time = FunctionConditions.TruncateToSeconds(last.Time),
                From = last.From,
                To = last.To,
                Direction = last.Direction,
                Reason = last.Reason,
            }
            : previous?.LastScale;
    }

    /// <summary>
    /// The DeploymentReady condition over the function's Deployments: with one, its readiness; with
    /// both, the least ready speaks, naming itself (False before Unknown), or, when both are ready, the
    /// environments available in the two.
    /// </summary>
    private static (string Status, string Reason, string Message) DeploymentCondition(ChildState<V1Deployment> onDemand, ChildState<V1Deployment>? provisioned)
    {
        var onDemandReadiness = Readiness(onDemand);
        if (provisioned is null)
        {
            return onDemandReadiness;
        }

        var provisionedReadiness = Readiness(provisioned);
        if (onDemandReadiness.Status == FunctionConditions.True && provisionedReadiness.Status == FunctionConditions.True)
        {
            var available = (onDemand.Current?.Status?.AvailableReplicas ?? 0) + (provisioned.Current?.Status?.AvailableReplicas ?? 0);
            return (FunctionConditions.True, "Available", $"{available} execution environments available");
        }

        var (worse, readiness) = Rank(provisionedReadiness.Status) < Rank(onDemandReadiness.Status)
            ? (provisioned, provisionedReadiness)
            : (onDemand, onDemandReadiness);
        return worse.Owned ? (readiness.Status, readiness.Reason, $"Deployment {worse.Name}: {readiness.Message}") : readiness;

        static int Rank(string status) => status switch
        {
            FunctionConditions.False => 0,
            FunctionConditions.Unknown => 1,
            _ => 2,
        };
    }

    private static (string Status, string Reason, string Message) Readiness(ChildState<V1Deployment> deployment) => deployment.Owned
        ? DeploymentReadiness.Of(deployment.Current)
        : (FunctionConditions.False, "NotOwned", $"Deployment {deployment.Name} exists and is not controlled by this function");

    private sealed record ChildState<T>(string Name, T? Current, bool Owned);

    /// <summary>
    /// Brings one of the function's Deployments in line. A Deployment's selector is immutable: one
    /// whose selector differs (an earlier operator version selected by function only, which would
    /// adopt the other Deployment's pods) is deleted, and the Deployments informer's event brings the
    /// reconcile that creates it anew.
    /// </summary>
    private async Task<ChildState<V1Deployment>> ReconcileDeploymentAsync(
        Function function, FunctionPackage? package, EnvironmentKind kind, int replicas, CancellationToken cancellationToken)
    {
        var desired = DeploymentBuilder.Build(function, kind, replicas, InvokeTokenHashes is { } hashes ? defaults with { InvokeTokenHashes = hashes } : defaults, package);
        var name = desired.Metadata.Name!;
        var actual = deployments.Get(desired.Metadata.NamespaceProperty, name);
        if (InvokeTokenHashes is null && actual is not null && OwnerReferences.IsControlledBy(actual.Metadata, function) && LambdaEnvironment.InvokeTokenHashesOf(actual) is { } kept)
        {
            // No good token read yet (a broken Secret since this operator started): keep the pods' hashes
            // rather than roll them onto a template without any, which would refuse every gateway.
            desired = DeploymentBuilder.Build(function, kind, replicas, defaults with { InvokeTokenHashes = kept }, package);
        }

        if (actual is not null && OwnerReferences.IsControlledBy(actual.Metadata, function))
        {
            var (have, want) = (SelectorText(actual.Spec?.Selector), SelectorText(desired.Spec.Selector));
            if (have != want)
            {
                await DeleteAsync(function, actual, $"its selector {{{have}}} cannot change to {{{want}}}; it is created anew", cancellationToken).ConfigureAwait(false);
                return new ChildState<V1Deployment>(name, Current: null, Owned: true);
            }
        }

        return await ReconcileChildAsync(function, desired, deployments, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The selector as <c>key=value,…</c> in key order, or with its expressions, for comparing and for messages.</summary>
    private static string SelectorText(V1LabelSelector? selector)
    {
        var labels = (selector?.MatchLabels ?? new Dictionary<string, string>())
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => $"{pair.Key}={pair.Value}");
        var expressions = (selector?.MatchExpressions ?? [])
            .Select(e => $"{e.Key} {e.OperatorProperty} ({string.Join(",", e.Values ?? [])})");
        return string.Join(",", labels.Concat(expressions));
    }

    /// <summary>Deletes the provisioned Deployment when it exists and is the function's; nothing otherwise.</summary>
    private async Task DeleteProvisionedAsync(Function function, string why, CancellationToken cancellationToken)
    {
        var actual = deployments.Get(function.Metadata.NamespaceProperty, Names.ProvisionedDeployment(function));
        if (actual is not null && OwnerReferences.IsControlledBy(actual.Metadata, function))
        {
            await DeleteAsync(function, actual, why, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeleteAsync<T>(Function function, T actual, string why, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var kind = ResourceType.Of<T>().Kind;
        var name = actual.Metadata.Name!;
        try
        {
            // Only the object the cache showed: never a namesake created since.
            var options = new DeleteOptions { PreconditionUid = actual.Metadata.Uid };
            await client.DeleteAsync<T>(actual.Metadata.NamespaceProperty, name, options, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException error) when (error.IsNotFound)
        {
            return; // deleted already; the cache has not seen it yet
        }
        catch (KubernetesApiException error)
        {
            events.Warning(function, "DeleteFailed", $"{kind} {name}: {error.Message}");
            throw;
        }

        events.Normal(function, "Deleted", $"Deleted {kind} {name}: {why}");
        LogChildDeleted(function.Metadata.NamespaceProperty!, function.Metadata.Name!, kind, name, why);
    }

    /// <summary>Creates the child, or repairs it when a field the operator sets differs; otherwise writes nothing.</summary>
    private async Task<ChildState<T>> ReconcileChildAsync<T>(Function function, T desired, IObjectLister<T> lister, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var kind = ResourceType.Of<T>().Kind;
        var name = desired.Metadata.Name!;
        var actual = lister.Get(desired.Metadata.NamespaceProperty, name);
        if (actual is not null && !OwnerReferences.IsControlledBy(actual.Metadata, function))
        {
            return new ChildState<T>(name, actual, Owned: false);
        }

        var difference = actual is null
            ? null
            : SemanticSubset.FirstDifference(ObjectJson.ToNode(desired), ObjectJson.ToNode(actual));
        if (actual is not null && difference is null)
        {
            return new ChildState<T>(name, actual, Owned: true);
        }

        var verb = actual is null ? "Created" : "Updated";
        try
        {
            var applied = await client.ApplyAsync(desired, Apply, cancellationToken: cancellationToken).ConfigureAwait(false);
            events.Normal(function, verb, actual is null ? $"Created {kind} {name}" : $"Updated {kind} {name}: {difference} differed from the spec");
            LogChildWritten(function.Metadata.NamespaceProperty!, function.Metadata.Name!, verb, kind, name, difference ?? "(new)");
            return new ChildState<T>(name, applied, Owned: true);
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
