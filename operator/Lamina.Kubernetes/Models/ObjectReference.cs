using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A reference to an object (an Event's involvedObject).</summary>
public sealed class ObjectReference
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public string? Namespace { get; set; }

    public string? Name { get; set; }

    public string? Uid { get; set; }

    public string? ResourceVersion { get; set; }

    public string? FieldPath { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
