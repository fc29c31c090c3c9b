using Lamina.Kubernetes.Models;

namespace Lamina.Operator.Tests;

/// <summary>
/// Function pods as the kubelet reports them, for tests: the init container <c>install-shim</c>
/// and the container <c>function</c>, each in one of the states a container status can take.
/// </summary>
internal static class Pods
{
    public const string Name = "hello-fn-5d9f-abcde";

    /// <summary>A pod of function <paramref name="function"/> with these container statuses (a finished install and a ready function by default).</summary>
    public static Pod Of(
        ContainerStatus? function = null,
        ContainerStatus? install = null,
        string name = Name,
        string ns = "team-a",
        string phase = "Running",
        bool deleting = false,
        string functionName = "hello") => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            Namespace = ns,
            Labels = new Dictionary<string, string>
            {
                ["lamina.dev/function"] = functionName,
                ["app.kubernetes.io/name"] = functionName,
                ["app.kubernetes.io/component"] = "function",
                ["app.kubernetes.io/managed-by"] = "lamina",
            },
            DeletionTimestamp = deleting ? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) : null,
        },
        Spec = new PodSpec { Containers = [new Container { Name = "function", Image = "docker.io/lamina/example-node:dev" }] },
        Status = new PodStatus
        {
            Phase = phase,
            InitContainerStatuses = [install ?? Completed("install-shim")],
            ContainerStatuses = [function ?? Running()],
        },
    };

    /// <summary>Running; ready unless told otherwise; <paramref name="last"/> is how it ended before.</summary>
    public static ContainerStatus Running(bool ready = true, ContainerStateTerminated? last = null, string name = "function", int restarts = 0) => new()
    {
        Name = name,
        Ready = ready,
        RestartCount = restarts,
        State = new ContainerState { Running = new ContainerStateRunning() },
        LastState = last is null ? null : new ContainerState { Terminated = last },
    };

    /// <summary>Waiting for <paramref name="reason"/>; <paramref name="last"/> is how it ended before.</summary>
    public static ContainerStatus Waiting(string reason, string? message = null, ContainerStateTerminated? last = null, string name = "function", int restarts = 0) => new()
    {
        Name = name,
        RestartCount = restarts,
        State = new ContainerState { Waiting = new ContainerStateWaiting { Reason = reason, Message = message } },
        LastState = last is null ? null : new ContainerState { Terminated = last },
    };

    /// <summary>Just ended (the moment between an exit and the kubelet's back-off).</summary>
    public static ContainerStatus Terminated(ContainerStateTerminated exit, string name = "function", int restarts = 0) => new()
    {
        Name = name,
        RestartCount = restarts,
        State = new ContainerState { Terminated = exit },
    };

    /// <summary>An init container that did its job.</summary>
    public static ContainerStatus Completed(string name) => new()
    {
        Name = name,
        Ready = true,
        State = new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = 0, Reason = "Completed" } },
    };

    /// <summary>How a container ended: exit code, the kubelet's reason, the termination log.</summary>
    public static ContainerStateTerminated Exit(int code, string? message = null, string reason = "Error") =>
        new() { ExitCode = code, Reason = reason, Message = message };
}
