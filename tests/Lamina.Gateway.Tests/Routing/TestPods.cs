using k8s.Models;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>Function pods as the kubelet reports them, for the registry and the router.</summary>
internal static class TestPods
{
    /// <summary>
    /// A pod of <paramref name="function"/>: running, Ready, at <paramref name="ip"/>; its container
    /// declares the <c>invoke</c> port <paramref name="port"/> when given (a fake shim's), else none.
    /// </summary>
    public static V1Pod Of(
        string name,
        int? port = null,
        string ns = "team-a",
        string function = "hello",
        string? ip = "127.0.0.1",
        bool ready = true,
        bool deleting = false,
        string phase = "Running") => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Uid = $"uid-{ns}-{name}",
            Labels = new Dictionary<string, string>
            {
                ["lamina.dev/function"] = function,
                ["app.kubernetes.io/name"] = function,
                ["app.kubernetes.io/component"] = "function",
                ["app.kubernetes.io/managed-by"] = "lamina",
            },
            DeletionTimestamp = deleting ? new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) : null,
        },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "function",
                    Image = "docker.io/lamina/example-node:dev",
                    Ports = port is { } p ? [new V1ContainerPort { Name = "invoke", ContainerPort = p, Protocol = "TCP" }, new V1ContainerPort { Name = "admin", ContainerPort = 9090 }] : null,
                },
            ],
        },
        Status = new V1PodStatus
        {
            Phase = phase,
            PodIP = ip,
            Conditions =
            [
                new V1PodCondition { Type = "PodScheduled", Status = "True" },
                new V1PodCondition { Type = "ContainersReady", Status = ready ? "True" : "False" },
                new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" },
            ],
        },
    };
}
