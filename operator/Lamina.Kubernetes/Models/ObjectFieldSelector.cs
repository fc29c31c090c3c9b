using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A field of the pod, e.g. metadata.name.</summary>
public sealed class ObjectFieldSelector
{
    public string? ApiVersion { get; set; }

    public string? FieldPath { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
