using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A pod's phase, addresses, conditions and container states.</summary>
public sealed class PodStatus
{
    public string? Phase { get; set; }

    public string? PodIP { get; set; }

    public string? HostIP { get; set; }

    public List<PodCondition>? Conditions { get; set; }

    public List<ContainerStatus>? ContainerStatuses { get; set; }

    public List<ContainerStatus>? InitContainerStatuses { get; set; }

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public DateTimeOffset? StartTime { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
