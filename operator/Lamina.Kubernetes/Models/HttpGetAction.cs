using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>An HTTP GET probe.</summary>
public sealed class HttpGetAction
{
    public string? Path { get; set; }

    public IntOrString Port { get; set; }

    public string? Scheme { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
