using System.Net;
using k8s.Models;

namespace Lamina.Gateway.Routing;

/// <summary>What a function pod means to routing: a pure reading of the pod object.</summary>
internal static class PodEnvironments
{
    private const string ReadyCondition = "Ready";
    private const string RunningPhase = "Running";

    /// <summary>The function a pod belongs to (its namespace and <c>lamina.dev/function</c> label), or null.</summary>
    public static FunctionKey? FunctionOf(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var metadata = pod.Metadata;
        return metadata.NamespaceProperty is { Length: > 0 } ns
            && metadata.Name is { Length: > 0 }
            && metadata.Labels?.TryGetValue(FunctionPodLabels.Function, out var function) == true
            && function.Length > 0
                ? new FunctionKey(ns, function)
                : null;
    }

    /// <summary>
    /// The pod as an environment when it can take invocations, else null: running, PodReady True
    /// (the shim's readiness is "the runtime has initialised"), not being deleted (a terminating pod
    /// drains: it may stay Ready for a moment, but new work must go elsewhere), and with an IP. The
    /// port is the pod's container port named <c>invoke</c>, else <paramref name="defaultPort"/>.
    /// </summary>
    public static FunctionEnvironment? EnvironmentOf(V1Pod pod, int defaultPort)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.Metadata.Name is not { Length: > 0 } name
            || pod.Metadata.DeletionTimestamp is not null
            || pod.Status is not { Phase: RunningPhase, PodIP: { Length: > 0 } podIp } status
            || !IsReady(status)
            || !IPAddress.TryParse(podIp, out var address))
        {
            return null;
        }

        return new FunctionEnvironment(name, new EnvironmentEndpoint(address, InvokePort(pod) ?? defaultPort));
    }

    private static bool IsReady(V1PodStatus status)
    {
        if (status.Conditions is { } conditions)
        {
            foreach (var condition in conditions)
            {
                if (condition.Type == ReadyCondition)
                {
                    return condition.Status == "True";
                }
            }
        }

        return false;
    }

    private static int? InvokePort(V1Pod pod)
    {
        if (pod.Spec?.Containers is { } containers)
        {
            foreach (var container in containers)
            {
                if (container.Ports is { } ports)
                {
                    foreach (var port in ports)
                    {
                        if (port.Name == ShimInvokeContract.PortName && port.ContainerPort is > 0 and <= IPEndPoint.MaxPort)
                        {
                            return port.ContainerPort;
                        }
                    }
                }
            }
        }

        return null;
    }
}
