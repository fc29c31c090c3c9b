using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>What a Deployment runs now.</summary>
public sealed class DeploymentStatus
{
    public long? ObservedGeneration { get; set; }

    public int? Replicas { get; set; }

    public int? UpdatedReplicas { get; set; }

    public int? ReadyReplicas { get; set; }

    public int? AvailableReplicas { get; set; }

    public int? UnavailableReplicas { get; set; }

    public List<DeploymentCondition>? Conditions { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
