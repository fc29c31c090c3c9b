using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>One reason a request failed, e.g. the field that failed validation.</summary>
public sealed class StatusCause
{
    public string? Reason { get; set; }

    public string? Message { get; set; }

    public string? Field { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
