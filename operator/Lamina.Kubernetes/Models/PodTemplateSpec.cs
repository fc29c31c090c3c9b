using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>The pods a workload creates.</summary>
public sealed class PodTemplateSpec
{
    public ObjectMeta? Metadata { get; set; }

    public PodSpec? Spec { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
