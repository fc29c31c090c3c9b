using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A pod volume (only emptyDir is named; other sources are kept as extension data).</summary>
public sealed class Volume
{
    public string? Name { get; set; }

    public EmptyDirVolumeSource? EmptyDir { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
