using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>Points at an object's owner; with Controller set, garbage collection deletes the object with its owner.</summary>
public sealed class OwnerReference
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public string? Name { get; set; }

    public string? Uid { get; set; }

    public bool? Controller { get; set; }

    public bool? BlockOwnerDeletion { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
