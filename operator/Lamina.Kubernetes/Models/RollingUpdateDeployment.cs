using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>Rolling update limits.</summary>
public sealed class RollingUpdateDeployment
{
    public IntOrString? MaxUnavailable { get; set; }

    public IntOrString? MaxSurge { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
