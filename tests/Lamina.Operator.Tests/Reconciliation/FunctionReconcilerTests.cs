using System.Net;
using Microsoft.Extensions.Time.Testing;
using k8s.Models;
using Lamina.Contracts.Shim;
using Lamina.Operator.Api;
using Lamina.Operator.Concurrency;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lamina.Operator.Tests.Reconciliation;

/// <summary>
/// Table-driven reconciler tests on a recording fake API server (Knative's table_test.go style):
/// each row seeds objects, reconciles once, and states the exact writes and events.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class FunctionReconcilerTests
{
    private const string Ns = "team-a";
    private readonly FakeKubernetesClient _client = new();
    private readonly RecordingEventRecorder _events = new();
    private readonly FakeTimeProvider _time = new();
    private readonly FakeScaleSource _scale = new();
    private readonly ConcurrencyOptions _concurrency = new();
    private OperatorDefaults _defaults = new();

    [Fact]
    public async Task Reconcile_NewFunction_CreatesDeploymentServiceAndStatus()
    {
        Seed(Functions.Valid(ns: Ns));

        await ReconcileAsync();

        Assert.Equal(
            ["apply Deployment team-a/hello-fn", "apply Service team-a/hello-fn", "apply Function team-a/hello/status"],
            _client.Writes.Select(w => w.ToString()));
        Assert.Equal(
            ["Normal Created: Created Deployment hello-fn about Function/hello", "Normal Created: Created Service hello-fn about Function/hello"],
            _events.Events);
        var status = _client.Peek<Function>(Ns, "hello")!.Status!;
        Assert.Equal(1, status.ObservedGeneration);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:team-a.hello", status.FunctionArn);
        Assert.Equal("/2015-03-31/functions/team-a.hello/invocations", status.InvokePath);
        Assert.Equal(FunctionConditions.True, Condition(status, FunctionConditions.ConfigValid).Status);
        Assert.Equal(("Unknown", "Progressing"), Pair(Condition(status, FunctionConditions.Ready)));
        Assert.Equal(("True", "Healthy"), Pair(Condition(status, FunctionConditions.EnvironmentsHealthy)));
    }

    [Fact]
    public async Task Reconcile_StableState_ZeroWrites()
    {
        Seed(Functions.Valid(ns: Ns));
        await ReconcileAsync();
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Empty(_client.Writes);
    }

    [Fact]
    public async Task Reconcile_DeploymentEditedByHand_Repaired()
    {
        Seed(Functions.Valid(ns: Ns));
        await ReconcileAsync();
        _client.Mutate<V1Deployment>(Ns, "hello-fn", d => d.Spec!.Template!.Spec!.Containers![0].Image = "evil:latest");
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Equal(["apply Deployment team-a/hello-fn"], _client.Writes.Select(w => w.ToString()));
        Assert.Equal("docker.io/lamina/example-node:dev", _client.Peek<V1Deployment>(Ns, "hello-fn")!.Spec!.Template!.Spec!.Containers![0].Image);
        Assert.Contains("Normal Updated: Updated Deployment hello-fn: spec.template.spec.containers[function].image differed from the spec about Function/hello", _events.Events);
    }

    [Fact]
    public async Task Reconcile_NoGoodTokensKnownAndTheDeploymentCarriesHashes_TemplateKeptZeroWrites()
    {
        var hashes = new string('a', 64);
        Seed(Functions.Valid(ns: Ns));
        await ReconcileAsync(hashes);
        _client.ClearRequests();

        // An operator that never read a usable Secret (broken since it started) must not roll the pods
        // onto a template without hashes: their shims would refuse every gateway.
        await ReconcileAsync(invokeTokenHashes: null);

        Assert.Empty(_client.Writes);
        Assert.Equal(hashes, TokenHashes(_client.Peek<V1Deployment>(Ns, "hello-fn")!));
    }

    [Fact]
    public async Task Reconcile_TokenHashesChange_PodTemplateGetsTheNewOnes()
    {
        Seed(Functions.Valid(ns: Ns));
        await ReconcileAsync(new string('a', 64));
        _client.ClearRequests();

        await ReconcileAsync(new string('b', 64));

        Assert.Equal(["apply Deployment team-a/hello-fn"], _client.Writes.Select(w => w.ToString()));
        Assert.Equal(new string('b', 64), TokenHashes(_client.Peek<V1Deployment>(Ns, "hello-fn")!));
    }

    [Fact]
    public async Task Reconcile_NoGoodTokensKnownAndNewFunction_CreatedWithoutHashes()
    {
        Seed(Functions.Valid(ns: Ns));

        await ReconcileAsync(invokeTokenHashes: null);

        Assert.Null(TokenHashes(_client.Peek<V1Deployment>(Ns, "hello-fn")!));
    }

    [Fact]
    public async Task Reconcile_ReplicasSetByAutoscaler_NotReset()
    {
        Seed(Functions.Valid(ns: Ns));
        await ReconcileAsync();
        await _client.SetScaleAsync<V1Deployment>(Ns, "hello-fn", 4);
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Empty(_client.Writes);
        Assert.Equal(4, _client.Peek<V1Deployment>(Ns, "hello-fn")!.Spec!.Replicas);
    }

    [Fact]
    public async Task Reconcile_SpecChanged_DeploymentUpdatedAndGenerationObserved()
    {
        Seed(Functions.Valid(ns: Ns));
        await ReconcileAsync();
        _client.Mutate<Function>(Ns, "hello", f => { f.Spec.MemoryMB = 1024; f.Metadata.Generation = 2; });
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Equal(["apply Deployment team-a/hello-fn", "apply Function team-a/hello/status"], _client.Writes.Select(w => w.ToString()));
        Assert.Equal("1024Mi", _client.Peek<V1Deployment>(Ns, "hello-fn")!.Spec!.Template!.Spec!.Containers![0].Resources!.Limits!["memory"]);
        Assert.Equal(2, _client.Peek<Function>(Ns, "hello")!.Status!.ObservedGeneration);
    }

    [Fact]
    public async Task Reconcile_CreateFails_ErrorEventAndRetrySucceeds()
    {
        Seed(Functions.Valid(ns: Ns));
        _client.FailNext(r => r is { Verb: "apply", Kind: "Deployment" },
            FakeKubernetesClient.ApiError(HttpStatusCode.InternalServerError, "InternalError", "etcd is down"));

        var error = await Assert.ThrowsAsync<Lamina.Kubernetes.Client.KubernetesApiException>(() => ReconcileAsync());

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(["Warning CreateFailed: Deployment hello-fn: etcd is down about Function/hello"], _events.Events);
        Assert.Null(_client.Peek<Function>(Ns, "hello")!.Status);

        await ReconcileAsync();

        Assert.NotNull(_client.Peek<V1Deployment>(Ns, "hello-fn"));
        Assert.NotNull(_client.Peek<Function>(Ns, "hello")!.Status);
    }

    [Fact]
    public async Task Reconcile_InvalidSpec_NoChildrenConditionAndOneEvent()
    {
        Seed(Functions.Valid(ns: Ns, change: s => s.Concurrency = new FunctionConcurrency { Reserved = 1, Provisioned = 2 }));

        await ReconcileAsync();
        await ReconcileAsync();

        Assert.Equal(["apply Function team-a/hello/status"], _client.Writes.Select(w => w.ToString()));
        var status = _client.Peek<Function>(Ns, "hello")!.Status!;
        var ready = Condition(status, FunctionConditions.Ready);
        Assert.Equal(("False", "InvalidSpec"), Pair(ready));
        Assert.Equal("spec.concurrency.provisioned (2) exceeds spec.concurrency.reserved (1)", ready.Message);
        Assert.Equal(("False", "InvalidSpec"), Pair(Condition(status, FunctionConditions.ConfigValid)));
        Assert.Single(_events.Events);
        Assert.Null(_client.Peek<V1Deployment>(Ns, "hello-fn"));
    }

    [Fact]
    public async Task Reconcile_DeploymentOwnedBySomeoneElse_LeftAloneAndReported()
    {
        Seed(Functions.Valid(ns: Ns));
        _client.Seed(new V1Deployment { Metadata = new V1ObjectMeta { Name = "hello-fn", NamespaceProperty = Ns } });

        await ReconcileAsync();

        Assert.DoesNotContain(_client.Writes, w => w.Kind == "Deployment");
        var ready = Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.Ready);
        Assert.Equal(("False", "NotOwned"), Pair(ready));
    }

    [Fact]
    public async Task Reconcile_RolloutComplete_ReadyWithReplicas()
    {
        Seed(Functions.Valid(ns: Ns));
        await ReconcileAsync();
        _client.Mutate<V1Deployment>(Ns, "hello-fn", d =>
        {
            d.Spec!.Replicas = 2;
            d.Status = new V1DeploymentStatus { ObservedGeneration = d.Metadata.Generation, Replicas = 2, UpdatedReplicas = 2, ReadyReplicas = 2, AvailableReplicas = 2 };
        });

        await ReconcileAsync();

        var status = _client.Peek<Function>(Ns, "hello")!.Status!;
        Assert.Equal(("True", "Ready"), Pair(Condition(status, FunctionConditions.Ready)));
        Assert.Equal(("True", "Available"), Pair(Condition(status, FunctionConditions.DeploymentReady)));
        Assert.Equal((2, 2), (status.Replicas, status.ReadyReplicas));
    }

    [Fact]
    public async Task Reconcile_PodCannotRunShimThenFixed_ConditionAndReadyFollow()
    {
        const string Failure = "pod hello-fn-5d9f-abcde: container function: CrashLoopBackOff: exec /opt/lamina/runtime-shim: exec format error (exit code 1)";
        Seed(Functions.Valid(ns: Ns));
        await ReconcileAsync();
        _client.Seed(Pods.Of(Pods.Waiting("CrashLoopBackOff", "back-off 10s restarting failed container", Pods.Exit(1, "exec /opt/lamina/runtime-shim: exec format error"), restarts: 1)));
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Equal(["apply Function team-a/hello/status"], _client.Writes.Select(w => w.ToString()));
        var status = _client.Peek<Function>(Ns, "hello")!.Status!;
        var health = Condition(status, FunctionConditions.EnvironmentsHealthy);
        var ready = Condition(status, FunctionConditions.Ready);
        Assert.Equal(("False", "CrashLoopBackOff", Failure), (health.Status, health.Reason, health.Message));
        Assert.Equal(("False", "CrashLoopBackOff", Failure), (ready.Status, ready.Reason, ready.Message));
        Assert.Equal(("Unknown", "Progressing"), Pair(Condition(status, FunctionConditions.DeploymentReady)));

        _client.Mutate<V1Pod>(Ns, Pods.Name, p => p.Status!.ContainerStatuses = [Pods.Running(last: Pods.Exit(1, "exec /opt/lamina/runtime-shim: exec format error"), restarts: 5)]);
        _client.Mutate<V1Deployment>(Ns, "hello-fn", d =>
            d.Status = new V1DeploymentStatus { ObservedGeneration = d.Metadata.Generation, Replicas = 1, UpdatedReplicas = 1, ReadyReplicas = 1, AvailableReplicas = 1 });

        await ReconcileAsync();

        status = _client.Peek<Function>(Ns, "hello")!.Status!;
        Assert.Equal(("True", "Healthy"), Pair(Condition(status, FunctionConditions.EnvironmentsHealthy)));
        Assert.Equal(("True", "Ready"), Pair(Condition(status, FunctionConditions.Ready)));
    }

    [Fact]
    public async Task Reconcile_CrashLoopingPodRestartsAgain_ZeroWrites()
    {
        Seed(Functions.Valid(ns: Ns));
        _client.Seed(Pods.Of(Pods.Waiting("CrashLoopBackOff", "back-off 10s restarting failed container", Pods.Exit(1, "runtime-shim: cannot listen on 0.0.0.0:8080"), restarts: 1)));
        await ReconcileAsync();
        Assert.Equal("ShimExited", Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.Ready).Reason);
        _client.Mutate<V1Pod>(Ns, Pods.Name, p => p.Status!.ContainerStatuses =
            [Pods.Waiting("CrashLoopBackOff", "back-off 2m40s restarting failed container", Pods.Exit(1, "runtime-shim: cannot listen on 0.0.0.0:8080"), restarts: 6)]);
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Empty(_client.Writes);
    }

    [Fact]
    public async Task Reconcile_OnePodFailingOthersReady_ReadyStaysWithDeployment()
    {
        Seed(Functions.Valid(ns: Ns));
        await ReconcileAsync();
        _client.Mutate<V1Deployment>(Ns, "hello-fn", d =>
        {
            d.Spec!.Replicas = 2;
            d.Status = new V1DeploymentStatus { ObservedGeneration = d.Metadata.Generation, Replicas = 2, UpdatedReplicas = 1, ReadyReplicas = 1, AvailableReplicas = 1 };
        });
        _client.Seed(Pods.Of(name: "hello-fn-5d9f-good1"));
        _client.Seed(Pods.Of(Pods.Waiting("CreateContainerConfigError", "secret \"db\" not found")));

        await ReconcileAsync();

        var status = _client.Peek<Function>(Ns, "hello")!.Status!;
        Assert.Equal(("False", "CreateContainerConfigError"), Pair(Condition(status, FunctionConditions.EnvironmentsHealthy)));
        Assert.Equal(("Unknown", "RollingOut"), Pair(Condition(status, FunctionConditions.Ready)));
    }

    [Fact]
    public async Task Reconcile_Provisioned2_ProvisionedDeploymentWithTwoReplicas()
    {
        Seed(Functions.Valid(ns: Ns, change: s => s.Concurrency = new FunctionConcurrency { Reserved = 5, Provisioned = 2 }));

        await ReconcileAsync();

        Assert.Equal(
            ["apply Deployment team-a/hello-fn", "apply Deployment team-a/hello-pc", "apply Service team-a/hello-fn", "apply Function team-a/hello/status"],
            _client.Writes.Select(w => w.ToString()));
        var provisioned = _client.Peek<V1Deployment>(Ns, "hello-pc")!;
        var onDemand = _client.Peek<V1Deployment>(Ns, "hello-fn")!;
        Assert.Equal((2, 0), (provisioned.Spec!.Replicas, onDemand.Spec!.Replicas));
        Assert.Equal(("provisioned-concurrency", "on-demand"), (InitializationType(provisioned), InitializationType(onDemand)));
        Assert.Equal("provisioned-concurrency", provisioned.Spec.Selector!.MatchLabels!["lamina.dev/init-type"]);
        Assert.Equal(new Dictionary<string, string> { ["lamina.dev/function"] = "hello" }, _client.Peek<V1Service>(Ns, "hello-fn")!.Spec!.Selector);
        Assert.Contains("Normal Created: Created Deployment hello-pc about Function/hello", _events.Events);
    }

    [Fact]
    public async Task Reconcile_ProvisionedBackToZero_ProvisionedDeploymentDeleted()
    {
        Seed(Functions.Valid(ns: Ns, change: s => s.Concurrency = new FunctionConcurrency { Provisioned = 2 }));
        await ReconcileAsync();
        _client.Mutate<Function>(Ns, "hello", f => { f.Spec.Concurrency!.Provisioned = 0; f.Metadata.Generation = 2; });
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Equal(["delete Deployment team-a/hello-pc", "apply Function team-a/hello/status"], _client.Writes.Select(w => w.ToString()));
        Assert.Null(_client.Peek<V1Deployment>(Ns, "hello-pc"));
        Assert.NotNull(_client.Peek<V1Deployment>(Ns, "hello-fn"));
        Assert.Contains("Normal Deleted: Deleted Deployment hello-pc: spec.concurrency.provisioned is 0 about Function/hello", _events.Events);
    }

    [Fact]
    public async Task Reconcile_ProvisionedDeploymentOfSomeoneElse_NotDeleted()
    {
        Seed(Functions.Valid(ns: Ns));
        _client.Seed(new V1Deployment { Metadata = new V1ObjectMeta { Name = "hello-pc", NamespaceProperty = Ns } });

        await ReconcileAsync();

        Assert.DoesNotContain(_client.Writes, w => w.Verb == "delete");
        Assert.NotNull(_client.Peek<V1Deployment>(Ns, "hello-pc"));
    }

    /// <summary>
    /// The on-demand Deployment's replicas: the controller's answer when it has one, else what the
    /// Deployment has, else 0 (a new function has no environment until its first invocation).
    /// </summary>
    [Theory]
    [InlineData(null, null, 0)]
    [InlineData(null, 3, 3)]
    [InlineData(4, null, 4)]
    [InlineData(4, 3, 3)]
    [InlineData(4, 0, 0)]
    public async Task Reconcile_OnDemandReplicas_FromScaleSourceElseKept(int? current, int? fromScaleSource, int expected)
    {
        Seed(Functions.Valid(ns: Ns));
        if (current is { } replicas)
        {
            await ReconcileAsync();
            await _client.SetScaleAsync<V1Deployment>(Ns, "hello-fn", replicas);
        }

        if (fromScaleSource is { } onDemand)
        {
            _scale.Set(Ns, "hello", Scale(onDemand: onDemand));
        }

        await ReconcileAsync();

        Assert.Equal(expected, _client.Peek<V1Deployment>(Ns, "hello-fn")!.Spec!.Replicas);
    }

    [Fact]
    public async Task Reconcile_DeploymentWithOldSelector_DeletedThenCreated()
    {
        var function = Functions.Valid(ns: Ns);
        Seed(function);
        var old = DeploymentBuilder.Build(function, EnvironmentKind.OnDemand, 3, new OperatorDefaults());
        old.Spec.Selector.MatchLabels = new Dictionary<string, string> { ["lamina.dev/function"] = "hello" };
        _client.Seed(old);

        await ReconcileAsync();

        Assert.Equal(["delete Deployment team-a/hello-fn", "apply Service team-a/hello-fn", "apply Function team-a/hello/status"], _client.Writes.Select(w => w.ToString()));
        Assert.Contains(
            "Normal Deleted: Deleted Deployment hello-fn: its selector {lamina.dev/function=hello} cannot change to " +
            "{lamina.dev/function=hello,lamina.dev/init-type=on-demand}; it is created anew about Function/hello",
            _events.Events);
        Assert.Equal(("Unknown", "Creating"), Pair(Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.DeploymentReady)));
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Contains("apply Deployment team-a/hello-fn", _client.Writes.Select(w => w.ToString()));
        Assert.Equal("on-demand", _client.Peek<V1Deployment>(Ns, "hello-fn")!.Spec!.Selector!.MatchLabels!["lamina.dev/init-type"]);
    }

    [Fact]
    public async Task Reconcile_ReservationRefusedByPool_NotReadyAndNoEnvironments()
    {
        Seed(Functions.Valid(ns: Ns, change: s => s.Concurrency = new FunctionConcurrency { Reserved = 450, Provisioned = 2 }));
        _scale.Set(Ns, "hello", Scale(onDemand: 3));
        await ReconcileAsync();
        Assert.NotNull(_client.Peek<V1Deployment>(Ns, "hello-pc"));
        var older = Functions.Valid("big", ns: Ns, change: s => s.Concurrency = new FunctionConcurrency { Reserved = 500 });
        older.Metadata.CreationTimestamp = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        Seed(older);
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Equal(
            ["apply Deployment team-a/hello-fn", "delete Deployment team-a/hello-pc", "apply Function team-a/hello/status"],
            _client.Writes.Select(w => w.ToString()));
        Assert.Null(_client.Peek<V1Deployment>(Ns, "hello-pc"));
        Assert.Equal(0, _client.Peek<V1Deployment>(Ns, "hello-fn")!.Spec!.Replicas);
        var ready = Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.Ready);
        Assert.Equal(("False", "ConcurrencyPoolExceeded"), Pair(ready));
        Assert.Equal(
            "reserved concurrency 450 would leave 50 of the pool of 1000 unreserved (500 reserved by older functions); at least 100 must stay unreserved",
            ready.Message);
        Assert.Contains(
            "Normal Deleted: Deleted Deployment hello-pc: the cluster pool refused the function's reserved concurrency about Function/hello", _events.Events);
    }

    [Fact]
    public async Task Reconcile_ReservationFitsThePool_Admitted()
    {
        _concurrency.PoolSize = 100;
        _concurrency.UnreservedMinimum = 10;
        Seed(Functions.Valid(ns: Ns, change: s => s.Concurrency = new FunctionConcurrency { Reserved = 90, Provisioned = 1 }));

        await ReconcileAsync();

        Assert.NotEqual("ConcurrencyPoolExceeded", Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.Ready).Reason);
        Assert.NotNull(_client.Peek<V1Deployment>(Ns, "hello-pc"));
    }

    [Fact]
    public async Task Reconcile_ScaleSource_StatusFigures()
    {
        Seed(Functions.Valid(ns: Ns, change: s => s.Concurrency = new FunctionConcurrency { Provisioned = 2 }));
        var decided = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddMilliseconds(890);
        _scale.Set(Ns, "hello", new FunctionScale(OnDemandReplicas: 1, Desired: 3, Ready: 2, Busy: 1, ProvisionedReady: 2,
            new ScaleEvent(decided, From: 2, To: 3, Reason: "demand 2.4 over the stable window")));

        await ReconcileAsync();

        var status = _client.Peek<Function>(Ns, "hello")!.Status!;
        Assert.Equal((3, 2, 1, 2), (status.DesiredEnvironments, status.ReadyEnvironments, status.BusyEnvironments, status.ProvisionedReady));
        var last = status.LastScale!;
        Assert.Equal((new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc), 2, 3, "Up", "demand 2.4 over the stable window"),
            (last.Time!.Value.ToUniversalTime(), last.From, last.To, last.Direction, last.Reason));
    }

    [Fact]
    public async Task Reconcile_ScaleSourceGoesAway_FiguresKept()
    {
        Seed(Functions.Valid(ns: Ns));
        _scale.Set(Ns, "hello", Scale(onDemand: 2));
        await ReconcileAsync();
        _scale.Set(Ns, "hello", null);
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Empty(_client.Writes);
        var status = _client.Peek<Function>(Ns, "hello")!.Status!;
        Assert.Equal((2, 2, 1, 0), (status.DesiredEnvironments, status.ReadyEnvironments, status.BusyEnvironments, status.ProvisionedReady));
        Assert.Equal("Up", status.LastScale!.Direction);
    }

    [Fact]
    public async Task Reconcile_ScaleSourceChanges_StatusRewritten()
    {
        Seed(Functions.Valid(ns: Ns));
        _scale.Set(Ns, "hello", Scale(onDemand: 2));
        await ReconcileAsync();
        _scale.Set(Ns, "hello", Scale(onDemand: 2) with { Busy = 2 });
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Equal(["apply Function team-a/hello/status"], _client.Writes.Select(w => w.ToString()));
        Assert.Equal(2, _client.Peek<Function>(Ns, "hello")!.Status!.BusyEnvironments);
    }

    [Fact]
    public async Task Reconcile_StableStateWithScaleSourceAndProvisioned_ZeroWrites()
    {
        Seed(Functions.Valid(ns: Ns, change: s => s.Concurrency = new FunctionConcurrency { Reserved = 10, Provisioned = 2 }));
        _scale.Set(Ns, "hello", Scale(onDemand: 2));
        await ReconcileAsync();
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Empty(_client.Writes);
    }

    [Fact]
    public async Task Reconcile_BothDeploymentsRolledOut_ReadyWithSummedReplicas()
    {
        Seed(Functions.Valid(ns: Ns, change: s => s.Concurrency = new FunctionConcurrency { Provisioned = 2 }));
        _scale.Set(Ns, "hello", Scale(onDemand: 1));
        await ReconcileAsync();
        RolledOut("hello-fn", 1);
        RolledOut("hello-pc", 2);

        await ReconcileAsync();

        var status = _client.Peek<Function>(Ns, "hello")!.Status!;
        Assert.Equal((3, 3), (status.Replicas, status.ReadyReplicas));
        var deploymentReady = Condition(status, FunctionConditions.DeploymentReady);
        Assert.Equal(("True", "Available", "3 execution environments available"), (deploymentReady.Status, deploymentReady.Reason, deploymentReady.Message));
        Assert.Equal(("True", "Ready"), Pair(Condition(status, FunctionConditions.Ready)));
    }

    [Fact]
    public async Task Reconcile_ProvisionedRollingOut_ConditionNamesItsDeployment()
    {
        Seed(Functions.Valid(ns: Ns, change: s => s.Concurrency = new FunctionConcurrency { Provisioned = 2 }));
        await ReconcileAsync();
        RolledOut("hello-fn", 0);
        _client.Mutate<V1Deployment>(Ns, "hello-pc", d =>
            d.Status = new V1DeploymentStatus { ObservedGeneration = d.Metadata.Generation, Replicas = 2, UpdatedReplicas = 1, ReadyReplicas = 1, AvailableReplicas = 1 });

        await ReconcileAsync();

        var deploymentReady = Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.DeploymentReady);
        Assert.Equal(("Unknown", "RollingOut", "Deployment hello-pc: 1 of 2 execution environments available"),
            (deploymentReady.Status, deploymentReady.Reason, deploymentReady.Message));
    }

    [Fact]
    public async Task Reconcile_EnvironmentsStartingOnTheCurrentSpec_ReadyTrueScalingUp()
    {
        // The autoscaler added environments that are still starting: no rollout, and the function can be invoked.
        Seed(Functions.Valid(ns: Ns));
        await ReconcileAsync();
        _client.Mutate<V1Deployment>(Ns, "hello-fn", d =>
        {
            d.Spec!.Replicas = 3;
            d.Status = new V1DeploymentStatus { ObservedGeneration = d.Metadata.Generation, Replicas = 3, UpdatedReplicas = 3, ReadyReplicas = 1, AvailableReplicas = 1 };
        });

        await ReconcileAsync();

        var ready = Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.Ready);
        Assert.Equal(("True", "Ready"), Pair(ready));
        var deploymentReady = Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.DeploymentReady);
        Assert.Equal(("True", "ScalingUp"), Pair(deploymentReady));
    }

    [Fact]
    public async Task Reconcile_FunctionGone_NothingHappens()
    {
        await ReconcileAsync();

        Assert.Empty(_client.Writes);
    }

    [Fact]
    public async Task Reconcile_StatusWriteFails_ErrorPropagates()
    {
        Seed(Functions.Valid(ns: Ns));
        _client.FailNext(r => r.Subresource == "status", FakeKubernetesClient.ApiError(HttpStatusCode.Conflict, "Conflict"));

        await Assert.ThrowsAsync<Lamina.Kubernetes.Client.KubernetesApiException>(() => ReconcileAsync());
    }

    [Fact]
    public async Task Reconcile_ZipFunction_RuntimeImageAndFetchCodeThenZeroWrites()
    {
        _defaults = Functions.CodeDefaults;
        Seed(Functions.Zip(ns: Ns));

        await ReconcileAsync();

        var pod = _client.Peek<V1Deployment>(Ns, "hello-fn")!.Spec!.Template!.Spec!;
        Assert.Equal("docker.io/lamina/runtime-nodejs22:dev", pod.Containers!.Single().Image);
        Assert.Equal(["install-shim", "fetch-code"], pod.InitContainers!.Select(c => c.Name));
        Assert.Equal(FunctionConditions.True, Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.ConfigValid).Status);
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Empty(_client.Writes);
    }

    [Fact]
    public async Task Reconcile_CodeConfigMapUpdated_DeploymentGetsTheNewDigest()
    {
        _defaults = Functions.CodeDefaults;
        Seed(ConfigMapFunction());
        _client.Seed(CodeConfigMap([(byte)'P', (byte)'K', 5, 6, .. new byte[18]]));
        await ReconcileAsync();
        var before = FetchArgs();
        _client.Mutate<V1ConfigMap>(Ns, "hello-code", c => c.BinaryData!["function.zip"] = [(byte)'P', (byte)'K', 3, 4, 1, 2, 3]);
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Equal(["apply Deployment team-a/hello-fn"], _client.Writes.Select(w => w.ToString()));
        var after = FetchArgs();
        Assert.NotEqual(before[1], after[1]);
        Assert.EndsWith(":7", after[1], StringComparison.Ordinal);
        Assert.Equal(["--code-file", "/var/run/lamina.dev/code-configmap/function.zip"], after.Skip(2).Take(2));
    }

    [Fact]
    public async Task Reconcile_CodeConfigMapMissing_NotFoundWithTheLabelCommandAndNoChildren()
    {
        _defaults = Functions.CodeDefaults;
        Seed(ConfigMapFunction());

        await ReconcileAsync();

        Assert.Equal(["apply Function team-a/hello/status"], _client.Writes.Select(w => w.ToString()));
        var status = _client.Peek<Function>(Ns, "hello")!.Status!;
        var ready = Condition(status, FunctionConditions.Ready);
        Assert.Equal(("False", "CodeConfigMapNotFound"), Pair(ready));
        Assert.Contains("kubectl label configmap hello-code -n team-a lamina.dev/code=true", ready.Message, StringComparison.Ordinal);
        Assert.Equal(("False", "CodeConfigMapNotFound"), Pair(Condition(status, FunctionConditions.ConfigValid)));
        Assert.StartsWith("Warning CodeConfigMapNotFound: spec.code.configMap: no ConfigMap hello-code", Assert.Single(_events.Events), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_ExistingDeploymentAndTheConfigMapGoes_DeploymentKeptNotReady()
    {
        _defaults = Functions.CodeDefaults;
        Seed(ConfigMapFunction());
        _client.Seed(CodeConfigMap([(byte)'P', (byte)'K', 5, 6, .. new byte[18]]));
        await ReconcileAsync();
        await _client.DeleteAsync<V1ConfigMap>(Ns, "hello-code");
        _client.ClearRequests();

        await ReconcileAsync();

        Assert.Equal(["apply Function team-a/hello/status"], _client.Writes.Select(w => w.ToString()));
        Assert.NotNull(_client.Peek<V1Deployment>(Ns, "hello-fn"));
        Assert.Equal("CodeConfigMapNotFound", Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.Ready).Reason);
    }

    [Fact]
    public async Task Reconcile_UnsupportedRuntime_ReadyFalseListingTheInstallationsRuntimes()
    {
        _defaults = Functions.CodeDefaults;
        Seed(Functions.Zip(ns: Ns, change: s => s.Runtime = "ruby3.2"));

        await ReconcileAsync();

        var ready = Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.Ready);
        Assert.Equal(("False", "UnsupportedRuntime"), Pair(ready));
        Assert.Contains("it has: nodejs22.x, provided.al2, provided.al2023, python3.11", ready.Message, StringComparison.Ordinal);
        Assert.Null(_client.Peek<V1Deployment>(Ns, "hello-fn"));
    }

    [Fact]
    public async Task Reconcile_FetchCodeFails_ReadyCodeFetchFailedWithItsMessage()
    {
        _defaults = Functions.CodeDefaults;
        Seed(Functions.Zip(ns: Ns));
        await ReconcileAsync();
        var pod = Pods.Of(Pods.Waiting("PodInitializing"));
        pod.Status!.InitContainerStatuses = [Pods.Completed("install-shim"), Pods.Waiting("CrashLoopBackOff", "back-off 10s", Pods.Exit(1, "runtime-shim fetch: sha256 mismatch"), "fetch-code", 1)];
        _client.Seed(pod);

        await ReconcileAsync();

        var ready = Condition(_client.Peek<Function>(Ns, "hello")!.Status!, FunctionConditions.Ready);
        Assert.Equal(("False", "CodeFetchFailed", "pod hello-fn-5d9f-abcde: init container fetch-code: CrashLoopBackOff: runtime-shim fetch: sha256 mismatch (exit code 1)"),
            (ready.Status, ready.Reason, ready.Message));
    }

    private static Function ConfigMapFunction() => Functions.Zip(ns: Ns, change: s =>
        s.Code = new FunctionCode { ConfigMap = new FunctionCodeConfigMap { Name = "hello-code", Key = "function.zip" } });

    private static V1ConfigMap CodeConfigMap(byte[] zip) => new()
    {
        Metadata = new V1ObjectMeta { Name = "hello-code", NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["lamina.dev/code"] = "true" } },
        BinaryData = new Dictionary<string, byte[]> { ["function.zip"] = zip },
    };

    private List<string> FetchArgs() =>
        [.. _client.Peek<V1Deployment>(Ns, "hello-fn")!.Spec!.Template!.Spec!.InitContainers!.Single(c => c.Name == "fetch-code").Args!];

    private void Seed(Function function) => _client.Seed(function);

    /// <summary>The controller's view of a function with <paramref name="onDemand"/> on-demand environments, all ready, one busy.</summary>
    private static FunctionScale Scale(int onDemand) =>
        new(onDemand, Desired: onDemand, Ready: onDemand, Busy: Math.Min(1, onDemand), ProvisionedReady: 0,
            new ScaleEvent(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), From: 0, To: onDemand, Reason: "an invocation found no environment"));

    /// <summary>The Deployment controller has rolled <paramref name="deployment"/> out with <paramref name="replicas"/> ready pods.</summary>
    private void RolledOut(string deployment, int replicas) =>
        _client.Mutate<V1Deployment>(Ns, deployment, d =>
        {
            d.Spec!.Replicas = replicas;
            d.Status = new V1DeploymentStatus { ObservedGeneration = d.Metadata.Generation, Replicas = replicas, UpdatedReplicas = replicas, ReadyReplicas = replicas, AvailableReplicas = replicas };
        });

    private static string? TokenHashes(V1Deployment deployment) =>
        deployment.Spec!.Template!.Spec!.Containers![0].Env!.SingleOrDefault(e => e.Name == ShimPodEnvironment.InvokeTokenSha256)?.Value;

    private static string? InitializationType(V1Deployment deployment) =>
        deployment.Spec!.Template!.Spec!.Containers![0].Env!.Single(e => e.Name == "AWS_LAMBDA_INITIALIZATION_TYPE").Value;

    private Task ReconcileAsync(string? invokeTokenHashes = null)
    {
        var reconciler = new FunctionReconciler(
            _client,
            new FakeLister<Function>(_client),
            new FakeLister<V1Deployment>(_client),
            new FakeLister<V1Service>(_client),
            new FakeLister<V1ConfigMap>(_client),
            new FakePodLister(_client),
            _scale,
            _concurrency,
            _events,
            _defaults,
            _time,
            NullLogger<FunctionReconciler>.Instance)
        {
            InvokeTokenHashes = invokeTokenHashes,
        };
        return reconciler.ReconcileAsync(Ns, "hello", CancellationToken.None);
    }

    private static V1Condition Condition(FunctionStatus status, string type) =>
        FunctionConditions.Find(status.Conditions, type) ?? throw new InvalidOperationException($"no {type} condition");

    private static (string?, string?) Pair(V1Condition condition) => (condition.Status, condition.Reason);
}
