using k8s;
using k8s.Models;

namespace Lamina.Kubernetes.Events;

/// <summary>
/// Records core/v1 Events about an object (what <c>kubectl describe</c> shows). Recording never
/// throws into the caller: an Event is best-effort information, not part of reconciling.
/// (Written by the lead as the contract the reconciler uses; the implementation lives beside it.)
/// </summary>
public interface IEventRecorder
{
    /// <summary>A normal event, e.g. reason <c>Created</c>.</summary>
    void Normal(IKubernetesObject<V1ObjectMeta> about, string reason, string message);

    /// <summary>A warning event, e.g. reason <c>InvalidSpec</c>.</summary>
    void Warning(IKubernetesObject<V1ObjectMeta> about, string reason, string message);
}
