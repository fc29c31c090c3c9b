using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A readiness, liveness or startup check.</summary>
public sealed class Probe
{
    public HttpGetAction? HttpGet { get; set; }

    public TcpSocketAction? TcpSocket { get; set; }

    public int? InitialDelaySeconds { get; set; }

    public int? PeriodSeconds { get; set; }

    public int? TimeoutSeconds { get; set; }

    public int? SuccessThreshold { get; set; }

    public int? FailureThreshold { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
