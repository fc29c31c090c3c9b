namespace Lamina.Kubernetes.Models;

/// <summary>What happened to an object, as a watch reports it.</summary>
public enum WatchEventType
{
    /// <summary>The object was created (or first seen).</summary>
    Added,

    /// <summary>The object changed.</summary>
    Modified,

    /// <summary>The object was deleted; the event carries its last state.</summary>
    Deleted,

    /// <summary>No change: only the object's resourceVersion is meaningful, a point a watch can resume from.</summary>
    Bookmark,
}

/// <summary>One event of a watch.</summary>
/// <param name="Type">What happened.</param>
/// <param name="Object">The object after the change (for Deleted, its last state; for Bookmark, only metadata.resourceVersion).</param>
public sealed record WatchEvent<T>(WatchEventType Type, T Object);
