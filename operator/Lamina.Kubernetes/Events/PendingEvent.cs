namespace Lamina.Kubernetes.Events;

/// <summary>An item of the recorder's queue: an event to write, or a flush marker to complete once reached.</summary>
internal readonly record struct PendingEvent(EventOccurrence? Occurrence, TaskCompletionSource? Flushed);
