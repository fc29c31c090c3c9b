using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A pod's security settings.</summary>
public sealed class PodSecurityContext
{
    public bool? RunAsNonRoot { get; set; }

    public long? RunAsUser { get; set; }

    public long? RunAsGroup { get; set; }

    public long? FsGroup { get; set; }

    public SeccompProfile? SeccompProfile { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
