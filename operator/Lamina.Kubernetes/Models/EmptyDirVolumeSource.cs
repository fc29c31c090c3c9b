using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A scratch folder that lives as long as the pod.</summary>
public sealed class EmptyDirVolumeSource
{
    public string? Medium { get; set; }

    public string? SizeLimit { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
