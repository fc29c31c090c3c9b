using k8s;

namespace Lamina.Kubernetes.Client;

/// <summary>One event of a watch (never <see cref="WatchEventType.Error"/>: an error ends the watch as a <see cref="KubernetesApiException"/>).</summary>
/// <param name="Type">What happened.</param>
/// <param name="Object">The object after the change (for Deleted, its last state; for Bookmark, only metadata.resourceVersion).</param>
#pragma warning disable CA1720 // "Object" is the watch event's field name in the API
public sealed record WatchEvent<T>(WatchEventType Type, T Object);
#pragma warning restore CA1720
