using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>Waiting, running or terminated: exactly one is set.</summary>
public sealed class ContainerState
{
    public ContainerStateWaiting? Waiting { get; set; }

    public ContainerStateRunning? Running { get; set; }

    public ContainerStateTerminated? Terminated { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
