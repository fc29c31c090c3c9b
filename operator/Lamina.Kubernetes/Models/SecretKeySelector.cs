using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A key of a Secret.</summary>
public sealed class SecretKeySelector
{
    public string? Name { get; set; }

    public string? Key { get; set; }

    public bool? Optional { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
