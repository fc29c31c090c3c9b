using System.Net;
using k8s.Models;
using Lamina.Operator.Api;
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
    private readonly ManualTimeProvider _time = new();

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

        var error = await Assert.ThrowsAsync<Lamina.Kubernetes.Client.KubernetesApiException>(ReconcileAsync);

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
            d.Status = new V1DeploymentStatus { ObservedGeneration = d.Metadata.Generation, Replicas = 2, UpdatedReplicas = 2, ReadyReplicas = 1, AvailableReplicas = 1 };
        });
        _client.Seed(Pods.Of(name: "hello-fn-5d9f-good1"));
        _client.Seed(Pods.Of(Pods.Waiting("CreateContainerConfigError", "secret \"db\" not found")));

        await ReconcileAsync();

        var status = _client.Peek<Function>(Ns, "hello")!.Status!;
        Assert.Equal(("False", "CreateContainerConfigError"), Pair(Condition(status, FunctionConditions.EnvironmentsHealthy)));
        Assert.Equal(("Unknown", "RollingOut"), Pair(Condition(status, FunctionConditions.Ready)));
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

        await Assert.ThrowsAsync<Lamina.Kubernetes.Client.KubernetesApiException>(ReconcileAsync);
    }

    private void Seed(Function function) => _client.Seed(function);

    private Task ReconcileAsync()
    {
        var reconciler = new FunctionReconciler(
            _client,
            new FakeLister<Function>(_client),
            new FakeLister<V1Deployment>(_client),
            new FakeLister<V1Service>(_client),
            new FakePodLister(_client),
            _events,
            new OperatorDefaults(),
            _time,
            NullLogger<FunctionReconciler>.Instance);
        return reconciler.ReconcileAsync(Ns, "hello", CancellationToken.None);
    }

    private static V1Condition Condition(FunctionStatus status, string type) =>
        FunctionConditions.Find(status.Conditions, type) ?? throw new InvalidOperationException($"no {type} condition");

    private static (string?, string?) Pair(V1Condition condition) => (condition.Status, condition.Reason);
}
