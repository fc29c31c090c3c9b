namespace Lamina.Kubernetes.Events;

/// <summary>What makes two events "the same" for aggregation: the object (by uid too, so a re-created namesake is another object), type, reason and message.</summary>
internal readonly record struct EventKey(string? Kind, string? Namespace, string? Name, string? Uid, string Type, string Reason, string Message);
