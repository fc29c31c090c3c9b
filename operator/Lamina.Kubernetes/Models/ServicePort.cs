using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>One port of a Service.</summary>
public sealed class ServicePort
{
    public string? Name { get; set; }

    public string? Protocol { get; set; }

    public int Port { get; set; }

    public IntOrString? TargetPort { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
