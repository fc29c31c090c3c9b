namespace Lamina.Kubernetes.Events;

/// <summary>An Event written to the API server, as the recorder last left it.</summary>
internal sealed record AggregatedEvent(string Namespace, string Name, int Count, DateTimeOffset LastTimestamp);
