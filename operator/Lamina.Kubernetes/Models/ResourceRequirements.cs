using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>Resource limits and requests, as Kubernetes quantities (128Mi, 100m).</summary>
public sealed class ResourceRequirements
{
    public IDictionary<string, string>? Limits { get; set; }

    public IDictionary<string, string>? Requests { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
