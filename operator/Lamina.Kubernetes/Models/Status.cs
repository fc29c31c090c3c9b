using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>The API server's answer to a failed (or some successful) request.</summary>
public sealed class Status
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    /// <summary><c>Success</c> or <c>Failure</c> (the JSON field <c>status</c>).</summary>
    [JsonPropertyName("status")]
    public string? Outcome { get; set; }

    public string? Message { get; set; }

    /// <summary>Machine-readable reason: NotFound, AlreadyExists, Conflict, Invalid, Expired…</summary>
    public string? Reason { get; set; }

    public StatusDetails? Details { get; set; }

    public int? Code { get; set; }

    /// <summary>Fields this model does not name.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
