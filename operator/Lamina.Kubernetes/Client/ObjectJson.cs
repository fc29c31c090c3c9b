using System.Text.Json.Nodes;
using k8s;

namespace Lamina.Kubernetes.Client;

/// <summary>
/// Objects as JSON trees in exactly the form the library sends them (<see cref="KubernetesJson"/>:
/// camelCase, nulls omitted, metav1.Time in RFC 3339), for comparing desired with actual state and
/// for the fakes' stored copies.
/// </summary>
public static class ObjectJson
{
    /// <summary>The JSON tree of <paramref name="item"/>.</summary>
    public static JsonObject ToNode<T>(T item) => JsonNode.Parse(KubernetesJson.Serialize(item))!.AsObject();

    /// <summary>An object read back from a JSON tree.</summary>
    public static T FromNode<T>(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return KubernetesJson.Deserialize<T>(node.ToJsonString());
    }
}
