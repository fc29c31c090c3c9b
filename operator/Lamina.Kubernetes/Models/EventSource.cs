using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>The component that reported an Event.</summary>
public sealed class EventSource
{
    public string? Component { get; set; }

    public string? Host { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
