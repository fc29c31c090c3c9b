using k8s.Models;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;
using static Lamina.Operator.Tests.Pods;

namespace Lamina.Operator.Tests.Reconciliation;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class EnvironmentHealthTests
{
    private const string ExecFormatError = "exec /opt/lamina/runtime-shim: exec format error";
    private const string ShimCannotBind = "runtime-shim: cannot listen on 0.0.0.0:8080: Address already in use";

    public static TheoryData<string, V1Pod[]> Healthy => new()
    {
        { "no pods (scaled to zero)", [] },
        { "running and ready", [Of()] },
        { "restarted once long ago, ready again", [Of(Running(last: Exit(137, reason: "OOMKilled"), restarts: 1))] },
        { "being created", [Of(Waiting("ContainerCreating"), Waiting("ContainerCreating", name: "install-shim"))] },
        { "waiting for the install", [Of(Waiting("PodInitializing"), Running(ready: false, name: "install-shim"))] },
        { "started, initialising the runtime", [Of(Running(ready: false))] },
        { "install failed once, then succeeded", [Of(install: new V1ContainerStatus
            {
                Name = "install-shim",
                Ready = true,
                State = new V1ContainerState { Terminated = Exit(0, reason: "Completed") },
                LastState = new V1ContainerState { Terminated = Exit(1, "cp: no space left on device") },
            })] },
        { "failing, but being deleted", [Of(Waiting("CrashLoopBackOff", "back-off 10s", Exit(1, ExecFormatError)), deleting: true)] },
        { "failing, but evicted (replaced)", [Of(Terminated(Exit(137, reason: "Error")), phase: "Failed")] },
    };

    [Theory]
    [MemberData(nameof(Healthy))]
    public void Of_NoFailingContainer_Healthy(string scenario, V1Pod[] pods)
    {
        _ = scenario;

        var (status, reason, message) = EnvironmentHealth.Of(pods);

        Assert.Equal(("True", "Healthy", "no execution environment reports a failing container"), (status, reason, message));
    }

    public static TheoryData<string, V1Pod, string, string> Failing => new()
    {
        {
            "the image cannot run the shim: crash loop",
            Of(Waiting("CrashLoopBackOff", "back-off 40s restarting failed container=function pod=hello-fn-5d9f-abcde_team-a", Exit(1, ExecFormatError), restarts: 4)),
            "CrashLoopBackOff",
            $"pod hello-fn-5d9f-abcde: container function: CrashLoopBackOff: {ExecFormatError} (exit code 1)"
        },
        {
            "the shim said why it exited",
            Of(Waiting("CrashLoopBackOff", "back-off 10s restarting failed container", Exit(1, ShimCannotBind), restarts: 1)),
            "ShimExited",
            $"pod hello-fn-5d9f-abcde: container function: CrashLoopBackOff: {ShimCannotBind} (exit code 1)"
        },
        {
            "exited without a termination message",
            Of(Waiting("CrashLoopBackOff", "back-off 10s", Exit(139, reason: "Error"), restarts: 2)),
            "CrashLoopBackOff",
            "pod hello-fn-5d9f-abcde: container function: CrashLoopBackOff: exited with Error (exit code 139)"
        },
        {
            "the runtime could not start it (missing loader), no exit yet",
            Of(Waiting("RunContainerError", "failed to create containerd task: exec: \"/opt/lamina/runtime-shim\": no such file or directory: unknown")),
            "RunContainerError",
            "pod hello-fn-5d9f-abcde: container function: RunContainerError: failed to create containerd task: exec: \"/opt/lamina/runtime-shim\": no such file or directory: unknown"
        },
        {
            "the runtime could not start it, after a start error",
            Of(Waiting("RunContainerError", "failed to start", Exit(128, "exec: permission denied (noexec mount)", "StartError"), restarts: 1)),
            "CrashLoopBackOff",
            "pod hello-fn-5d9f-abcde: container function: CrashLoopBackOff: exec: permission denied (noexec mount) (exit code 128)"
        },
        {
            "a read-only mount",
            Of(Waiting("CreateContainerError", "failed to mount /opt/lamina: read-only file system")),
            "CreateContainerError",
            "pod hello-fn-5d9f-abcde: container function: CreateContainerError: failed to mount /opt/lamina: read-only file system"
        },
        {
            "a missing secret",
            Of(Waiting("CreateContainerConfigError", "secret \"db\" not found")),
            "CreateContainerConfigError",
            "pod hello-fn-5d9f-abcde: container function: CreateContainerConfigError: secret \"db\" not found"
        },
        {
            "the function image cannot be pulled",
            Of(Waiting("ImagePullBackOff", "Back-off pulling image \"example.invalid/fn:1\"")),
            "ImagePullBackOff",
            "pod hello-fn-5d9f-abcde: container function: ImagePullBackOff: Back-off pulling image \"example.invalid/fn:1\""
        },
        {
            "pull policy Never and no image",
            Of(Waiting("ErrImageNeverPull", "Container image \"fn:1\" is not present with pull policy of Never")),
            "ErrImageNeverPull",
            "pod hello-fn-5d9f-abcde: container function: ErrImageNeverPull: Container image \"fn:1\" is not present with pull policy of Never"
        },
        {
            "a waiting reason without a message",
            Of(Waiting("InvalidImageName")),
            "InvalidImageName",
            "pod hello-fn-5d9f-abcde: container function: InvalidImageName"
        },
        {
            "the shim image is missing",
            Of(Waiting("PodInitializing"), Waiting("ErrImagePull", "rpc error: code = NotFound desc = docker.io/lamina/runtime-shim:dev: not found", name: "install-shim")),
            "InstallFailed",
            "pod hello-fn-5d9f-abcde: init container install-shim: ErrImagePull: rpc error: code = NotFound desc = docker.io/lamina/runtime-shim:dev: not found"
        },
        {
            "the install keeps failing",
            Of(Waiting("PodInitializing"), Waiting("CrashLoopBackOff", "back-off 20s", Exit(1, "cp: can't create '/mnt/lamina/runtime-shim': Read-only file system"), "install-shim", 3)),
            "InstallFailed",
            "pod hello-fn-5d9f-abcde: init container install-shim: CrashLoopBackOff: cp: can't create '/mnt/lamina/runtime-shim': Read-only file system (exit code 1)"
        },
        {
            "a multi-line termination log",
            Of(Terminated(Exit(2, "runtime-shim: bad arguments\r\n  usage: runtime-shim -- <command>\n"))),
            "ShimExited",
            "pod hello-fn-5d9f-abcde: container function: CrashLoopBackOff: runtime-shim: bad arguments usage: runtime-shim -- <command> (exit code 2)"
        },
        {
            "a reason that is not CamelCase",
            Of(Waiting("Image-Inspect Error", "inspect failed")),
            "ImageInspectError",
            "pod hello-fn-5d9f-abcde: container function: Image-Inspect Error: inspect failed"
        },
    };

    [Theory]
    [MemberData(nameof(Failing))]
    public void Of_FailingContainer_ReasonAndMessageNameIt(string scenario, V1Pod pod, string expectedReason, string expectedMessage)
    {
        _ = scenario;

        var (status, reason, message) = EnvironmentHealth.Of([pod]);

        Assert.Equal(("False", expectedReason, expectedMessage), (status, reason, message));
    }

    [Fact]
    public void Of_CrashLoopPhases_ReadTheSame()
    {
        // Back-off, restart, exit, back-off again: a write per restart would follow if any phase read differently.
        V1Pod[] phases =
        [
            Of(Waiting("CrashLoopBackOff", "back-off 10s restarting failed container", Exit(1, ShimCannotBind), restarts: 1)),
            Of(Running(ready: false, last: Exit(1, ShimCannotBind), restarts: 2)),
            Of(Terminated(Exit(1, ShimCannotBind), restarts: 2)),
            Of(Waiting("CrashLoopBackOff", "back-off 20s restarting failed container", Exit(1, ShimCannotBind), restarts: 2)),
            Of(Waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container", Exit(1, ShimCannotBind), restarts: 9)),
        ];

        var results = phases.Select(p => EnvironmentHealth.Of([p])).Distinct().ToList();

        Assert.Equal(("False", "ShimExited"), (Assert.Single(results).Status, results[0].Reason));
    }

    [Theory]
    [InlineData("function")]
    [InlineData("install-shim")]
    public void Of_ImagePullBackOffAfterErrImagePull_KeepsTheError(string container)
    {
        static V1Pod PodWaiting(string container, V1ContainerStatus waiting) =>
            container == "function" ? Of(waiting) : Of(Waiting("PodInitializing"), waiting);
        var pulling = EnvironmentHealth.Of([PodWaiting(container, Waiting("ErrImagePull", "rpc error: code = NotFound desc = not found", name: container))]);
        var previous = new V1Condition { Type = "EnvironmentsHealthy", Status = pulling.Status, Reason = pulling.Reason, Message = pulling.Message };

        var backingOff = EnvironmentHealth.Of([PodWaiting(container, Waiting("ImagePullBackOff", "Back-off pulling image \"x\"", name: container))], previous);

        Assert.Equal(pulling, backingOff);
        Assert.Contains("ErrImagePull: rpc error: code = NotFound desc = not found", backingOff.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_ImagePullBackOffOfAnotherPod_ReportedAsItIs()
    {
        var previous = new V1Condition
        {
            Type = "EnvironmentsHealthy", Status = "False", Reason = "ErrImagePull", Message = "pod hello-fn-5d9f-other: container function: ErrImagePull: not found",
        };

        var (_, reason, message) = EnvironmentHealth.Of([Of(Waiting("ImagePullBackOff", "Back-off pulling image \"x\""))], previous);

        Assert.Equal(("ImagePullBackOff", "pod hello-fn-5d9f-abcde: container function: ImagePullBackOff: Back-off pulling image \"x\""), (reason, message));
    }

    [Fact]
    public void Of_SeveralFailingPods_FirstByNameAndHowManyMore()
    {
        var crash = Waiting("CrashLoopBackOff", "back-off", Exit(1, ExecFormatError));

        var (_, reason, message) = EnvironmentHealth.Of(
            [Of(crash, name: "hello-fn-5d9f-zzzzz"), Of(), Of(Waiting("ErrImagePull", "not found"), name: "hello-fn-5d9f-aaaaa"), Of(crash, name: "hello-fn-5d9f-mmmmm")]);

        Assert.Equal("ErrImagePull", reason);
        Assert.Equal("pod hello-fn-5d9f-aaaaa: container function: ErrImagePull: not found; 2 more failing pods", message);
    }

    [Fact]
    public void Of_HugeTerminationLog_MessageBoundedWithItsEndKept()
    {
        var pod = Of(Waiting("CrashLoopBackOff", "back-off", Exit(1, "runtime-shim: " + new string('x', 5000))), name: "hello-fn-5d9f-zzzzz");

        var (_, reason, message) = EnvironmentHealth.Of([pod, Of(Waiting("CrashLoopBackOff", "b", Exit(1)), name: "hello-fn-5d9f-zzzzzz")]);

        Assert.Equal("ShimExited", reason);
        Assert.Equal(EnvironmentHealth.MaxMessageLength, message.Length);
        Assert.StartsWith("pod hello-fn-5d9f-zzzzz: container function: CrashLoopBackOff: runtime-shim: xxx", message, StringComparison.Ordinal);
        Assert.EndsWith("xxx… (exit code 1); 1 more failing pod", message, StringComparison.Ordinal);
    }

    public static TheoryData<string, V1ContainerStatus, string> FetchFailures => new()
    {
        {
            "the fetch exited non-zero",
            Terminated(Exit(1, "runtime-shim fetch: sha256 mismatch for the code: expected 9f86…, got 2c26…"), name: "fetch-code"),
            "pod hello-fn-5d9f-abcde: init container fetch-code: CrashLoopBackOff: runtime-shim fetch: sha256 mismatch for the code: expected 9f86…, got 2c26… (exit code 1)"
        },
        {
            "the fetch keeps failing",
            Waiting("CrashLoopBackOff", "back-off 40s restarting failed container=fetch-code", Exit(3, "runtime-shim fetch: the code store answered 404 for sha256:9f86…"), "fetch-code", 4),
            "pod hello-fn-5d9f-abcde: init container fetch-code: CrashLoopBackOff: runtime-shim fetch: the code store answered 404 for sha256:9f86… (exit code 3)"
        },
    };

    [Theory]
    [MemberData(nameof(FetchFailures))]
    public void Of_FetchCodeFailed_CodeFetchFailedWithTheTerminationMessage(string scenario, V1ContainerStatus fetch, string expected)
    {
        _ = scenario;
        var pod = Of(Waiting("PodInitializing"));
        pod.Status.InitContainerStatuses = [Completed("install-shim"), fetch];

        var (status, reason, message) = EnvironmentHealth.Of([pod]);

        Assert.Equal(("False", "CodeFetchFailed", expected), (status, reason, message));
    }

    [Fact]
    public void Of_FetchCodeRunning_Healthy()
    {
        var pod = Of(Waiting("PodInitializing"));
        pod.Status.InitContainerStatuses = [Completed("install-shim"), Running(ready: false, name: "fetch-code")];

        Assert.Equal("Healthy", EnvironmentHealth.Of([pod]).Reason);
    }
}
