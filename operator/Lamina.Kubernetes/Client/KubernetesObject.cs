using System.Text.Json;
using System.Text.Json.Serialization;
using Lamina.Kubernetes.Models;

namespace Lamina.Kubernetes.Client;

/// <summary>
/// What every typed object shares: type metadata taken from <typeparamref name="TSelf"/>'s
/// resource, object metadata, and the fields the model does not name (kept so that writing the
/// object back loses nothing). A model adds its static resource and JSON metadata, and its fields.
/// </summary>
public abstract class KubernetesObject<TSelf> : IKubernetesObject
    where TSelf : class, IKubernetesObject<TSelf>
{
    // Written first, as Kubernetes and kubectl write them (derived properties would come first otherwise).

    /// <inheritdoc />
    [JsonPropertyOrder(-3)]
    public string? ApiVersion { get; set; } = TSelf.Resource.ApiVersion;

    /// <inheritdoc />
    [JsonPropertyOrder(-2)]
    public string? Kind { get; set; } = TSelf.Resource.Kind;

    /// <inheritdoc />
    [JsonPropertyOrder(-1)]
    public ObjectMeta Metadata { get; set; } = new();

    /// <summary>Fields this model does not name.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
