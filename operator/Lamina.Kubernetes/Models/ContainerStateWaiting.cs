using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>Why a container is not running yet (e.g. CrashLoopBackOff).</summary>
public sealed class ContainerStateWaiting
{
    public string? Reason { get; set; }

    public string? Message { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
