using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>What a Status is about, with the field-level causes of a validation failure.</summary>
public sealed class StatusDetails
{
    public string? Name { get; set; }

    public string? Group { get; set; }

    public string? Kind { get; set; }

    public string? Uid { get; set; }

    public List<StatusCause>? Causes { get; set; }

    public int? RetryAfterSeconds { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
