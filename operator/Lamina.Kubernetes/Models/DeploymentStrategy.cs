using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>How a Deployment replaces pods.</summary>
public sealed class DeploymentStrategy
{
    public string? Type { get; set; }

    public RollingUpdateDeployment? RollingUpdate { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
