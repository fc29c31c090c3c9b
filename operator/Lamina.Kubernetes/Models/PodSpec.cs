using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A pod's containers, volumes and settings.</summary>
public sealed class PodSpec
{
    public List<Container>? InitContainers { get; set; }

    public List<Container>? Containers { get; set; }

    public List<Volume>? Volumes { get; set; }

    public PodSecurityContext? SecurityContext { get; set; }

    public long? TerminationGracePeriodSeconds { get; set; }

    public string? ServiceAccountName { get; set; }

    public bool? AutomountServiceAccountToken { get; set; }

    public bool? EnableServiceLinks { get; set; }

    public string? RestartPolicy { get; set; }

    public string? NodeName { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
