using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A Service's selector and ports.</summary>
public sealed class ServiceSpec
{
    public string? Type { get; set; }

    public string? ClusterIP { get; set; }

    public IDictionary<string, string>? Selector { get; set; }

    public List<ServicePort>? Ports { get; set; }

    public bool? PublishNotReadyAddresses { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
