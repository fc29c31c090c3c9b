using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A Deployment's condition (Available, Progressing, ReplicaFailure).</summary>
public sealed class DeploymentCondition
{
    public string? Type { get; set; }

    public string? Status { get; set; }

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public DateTimeOffset? LastUpdateTime { get; set; }

    public DateTimeOffset? LastTransitionTime { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
