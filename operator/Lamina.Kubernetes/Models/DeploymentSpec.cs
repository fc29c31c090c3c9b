using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>What a Deployment should run.</summary>
public sealed class DeploymentSpec
{
    public int? Replicas { get; set; }

    public LabelSelector? Selector { get; set; }

    public PodTemplateSpec? Template { get; set; }

    public DeploymentStrategy? Strategy { get; set; }

    public int? MinReadySeconds { get; set; }

    public int? RevisionHistoryLimit { get; set; }

    public int? ProgressDeadlineSeconds { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
