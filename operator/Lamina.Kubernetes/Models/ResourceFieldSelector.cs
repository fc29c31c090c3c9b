using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A container's resource limit or request.</summary>
public sealed class ResourceFieldSelector
{
    public string? ContainerName { get; set; }

    public string? Resource { get; set; }

    public string? Divisor { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
