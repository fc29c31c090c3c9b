using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>core/v1 Event, as kubectl describe shows it.</summary>
public sealed class Event : KubernetesObject<Event>, IKubernetesObject<Event>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("", "v1", "events", "Event");

    /// <inheritdoc />
    public static JsonTypeInfo<Event> JsonTypeInfo => KubernetesJsonContext.Default.Event;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Event>> ListJsonTypeInfo => KubernetesJsonContext.Default.KubernetesListEvent;

    public ObjectReference InvolvedObject { get; set; } = new();

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public string? Type { get; set; }

    public EventSource? Source { get; set; }

    public DateTimeOffset? FirstTimestamp { get; set; }

    public DateTimeOffset? LastTimestamp { get; set; }

    public int? Count { get; set; }

    [JsonConverter(typeof(MicroTimeConverter))]
    public DateTimeOffset? EventTime { get; set; }

    public string? ReportingComponent { get; set; }

    public string? ReportingInstance { get; set; }

    public string? Action { get; set; }
}
