using Lamina.Kubernetes.Client;
using k8s.Models;

namespace Lamina.Integration.Tests.Kubernetes;

/// <summary>Small valid objects for client tests, each test in a namespace of its own.</summary>
internal static class TestObjects
{
    /// <summary>Creates a namespace with a unique name (never deleted: without a namespace controller it would only hang in Terminating).</summary>
    public static async Task<string> NamespaceAsync(IKubernetesClient client, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 63)];
        await client.CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    public static V1Secret Secret(string ns, string name, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        // Data, not StringData: the server turns stringData into data, so an applier that sends
        // stringData never matches what is stored, and every re-apply in a new second is a write
        // (a new managedFields time, a new resourceVersion). The operator never applies stringData.
        Data = new Dictionary<string, byte[]> { ["key"] = "value"u8.ToArray() },
    };

    public static V1Deployment Deployment(string ns, string name, int replicas = 1) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "registry.invalid/app:1" }] },
            },
        },
    };

    public static Corev1Event Event(string ns, string name, string message) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        InvolvedObject = new V1ObjectReference { Kind = "Secret", NamespaceProperty = ns, Name = "subject", ApiVersion = "v1" },
        Reason = "Testing",
        Message = message,
        Type = "Normal",
    };
}
