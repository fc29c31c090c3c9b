using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>Where a volume appears in a container.</summary>
public sealed class VolumeMount
{
    public string? Name { get; set; }

    public string? MountPath { get; set; }

    public bool? ReadOnly { get; set; }

    public string? SubPath { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
