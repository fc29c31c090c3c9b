using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>One container's state.</summary>
public sealed class ContainerStatus
{
    public string? Name { get; set; }

    public bool Ready { get; set; }

    public int RestartCount { get; set; }

    public string? Image { get; set; }

    public string? ContainerID { get; set; }

    public bool? Started { get; set; }

    public ContainerState? State { get; set; }

    public ContainerState? LastState { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
