using k8s;
using k8s.Models;
using Lamina.Kubernetes.Events;

namespace Lamina.Testing.Fakes;

/// <summary>Keeps every event it is given, as "Type Reason: message about Kind/name".</summary>
public sealed class RecordingEventRecorder : IEventRecorder
{
    private readonly List<string> _events = [];

    /// <summary>The recorded events, oldest first.</summary>
    public IReadOnlyList<string> Events
    {
        get { lock (_events) { return [.. _events]; } }
    }

    /// <inheritdoc />
    public void Normal(IKubernetesObject<V1ObjectMeta> about, string reason, string message) => Add("Normal", about, reason, message);

    /// <inheritdoc />
    public void Warning(IKubernetesObject<V1ObjectMeta> about, string reason, string message) => Add("Warning", about, reason, message);

    private void Add(string type, IKubernetesObject<V1ObjectMeta> about, string reason, string message)
    {
        lock (_events)
        {
            _events.Add($"{type} {reason}: {message} about {about.Kind}/{about.Metadata.Name}");
        }
    }
}
