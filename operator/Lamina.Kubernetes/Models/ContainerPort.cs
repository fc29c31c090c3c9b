using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A port a container listens on.</summary>
public sealed class ContainerPort
{
    public string? Name { get; set; }

    /// <summary>The port number (the JSON field <c>containerPort</c>).</summary>
    [JsonPropertyName("containerPort")]
    public int Number { get; set; }

    public string? Protocol { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
