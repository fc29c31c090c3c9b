namespace Lamina.Kubernetes.Models;

/// <summary>A page of a list: the items and the list's metadata (resourceVersion, continue token).</summary>
public sealed class KubernetesList<T>
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public ListMeta Metadata { get; set; } = new();

    public List<T> Items { get; set; } = [];
}
