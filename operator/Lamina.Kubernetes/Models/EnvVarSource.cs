using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>Where an environment variable's value comes from.</summary>
public sealed class EnvVarSource
{
    public ObjectFieldSelector? FieldRef { get; set; }

    public ResourceFieldSelector? ResourceFieldRef { get; set; }

    public ConfigMapKeySelector? ConfigMapKeyRef { get; set; }

    public SecretKeySelector? SecretKeyRef { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
