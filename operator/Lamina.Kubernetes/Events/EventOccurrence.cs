using k8s.Models;

namespace Lamina.Kubernetes.Events;

/// <summary>One call to the recorder, captured when it was made.</summary>
internal sealed record EventOccurrence(V1ObjectReference Regarding, string Type, string Reason, string Message, DateTimeOffset At);
