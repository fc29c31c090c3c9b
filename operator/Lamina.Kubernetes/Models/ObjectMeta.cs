using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>Standard object metadata.</summary>
public sealed class ObjectMeta
{
    public string? Name { get; set; }

    public string? GenerateName { get; set; }

    public string? Namespace { get; set; }

    public string? Uid { get; set; }

    public string? ResourceVersion { get; set; }

    public long? Generation { get; set; }

    public DateTimeOffset? CreationTimestamp { get; set; }

    public DateTimeOffset? DeletionTimestamp { get; set; }

    public IDictionary<string, string>? Labels { get; set; }

    public IDictionary<string, string>? Annotations { get; set; }

    public List<OwnerReference>? OwnerReferences { get; set; }

    public List<string>? Finalizers { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
