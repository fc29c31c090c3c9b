using k8s.Models;

namespace Lamina.Operator.Tests;

/// <summary>
/// Function pods as the kubelet reports them, for tests: the init container <c>install-shim</c>
/// and the container <c>function</c>, each in one of the states a container status can take.
/// </summary>
internal static class Pods
{
    public const string Name = "hello-fn-5d9f-abcde";

    /// <summary>A pod of function <paramref name="function"/> with these container statuses (a finished install and a ready function by default).</summary>
    public static V1Pod Of(
        V1ContainerStatus? function = null,
        V1ContainerStatus? install = null,
        string name = Name,
        string ns = "team-a",
        string phase = "Running",
        bool deleting = false,
        string functionName = "hello") => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string>
            {
                ["lamina.dev/function"] = functionName,
                ["app.kubernetes.io/name"] = functionName,
                ["app.kubernetes.io/component"] = "function",
                ["app.kubernetes.io/managed-by"] = "lamina",
            },
            DeletionTimestamp = deleting ? new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) : null,
        },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "function", Image = "docker.io/lamina/example-node:dev" }] },
        Status = new V1PodStatus
        {
            Phase = phase,
            InitContainerStatuses = [install ?? Completed("install-shim")],
            ContainerStatuses = [function ?? Running()],
        },
    };

    /// <summary>Running; ready unless told otherwise; <paramref name="last"/> is how it ended before.</summary>
    public static V1ContainerStatus Running(bool ready = true, V1ContainerStateTerminated? last = null, string name = "function", int restarts = 0) => new()
    {
        Name = name,
        Ready = ready,
        RestartCount = restarts,
        State = new V1ContainerState { Running = new V1ContainerStateRunning() },
        LastState = last is null ? null : new V1ContainerState { Terminated = last },
    };

    /// <summary>Waiting for <paramref name="reason"/>; <paramref name="last"/> is how it ended before.</summary>
    public static V1ContainerStatus Waiting(string reason, string? message = null, V1ContainerStateTerminated? last = null, string name = "function", int restarts = 0) => new()
    {
        Name = name,
        RestartCount = restarts,
        State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } },
        LastState = last is null ? null : new V1ContainerState { Terminated = last },
    };

    /// <summary>Just ended (the moment between an exit and the kubelet's back-off).</summary>
    public static V1ContainerStatus Terminated(V1ContainerStateTerminated exit, string name = "function", int restarts = 0) => new()
    {
        Name = name,
        RestartCount = restarts,
        State = new V1ContainerState { Terminated = exit },
    };

    /// <summary>An init container that did its job.</summary>
    public static V1ContainerStatus Completed(string name) => new()
    {
        Name = name,
        Ready = true,
        State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Reason = "Completed" } },
    };

    /// <summary>How a container ended: exit code, the kubelet's reason, the termination log.</summary>
    public static V1ContainerStateTerminated Exit(int code, string? message = null, string reason = "Error") =>
        new() { ExitCode = code, Reason = reason, Message = message };
}
