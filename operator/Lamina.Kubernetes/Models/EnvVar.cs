using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>An environment variable: a value or a reference (valueFrom).</summary>
public sealed class EnvVar
{
    public string? Name { get; set; }

    public string? Value { get; set; }

    public EnvVarSource? ValueFrom { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
