using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A container's security settings.</summary>
public sealed class SecurityContext
{
    public bool? RunAsNonRoot { get; set; }

    public long? RunAsUser { get; set; }

    public long? RunAsGroup { get; set; }

    public bool? ReadOnlyRootFilesystem { get; set; }

    public bool? AllowPrivilegeEscalation { get; set; }

    public bool? Privileged { get; set; }

    public Capabilities? Capabilities { get; set; }

    public SeccompProfile? SeccompProfile { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
