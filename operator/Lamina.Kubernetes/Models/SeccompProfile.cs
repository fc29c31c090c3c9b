using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>The seccomp profile (RuntimeDefault, Localhost, Unconfined).</summary>
public sealed class SeccompProfile
{
    public string? Type { get; set; }

    public string? LocalhostProfile { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
