using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Models;

namespace Lamina.Integration.Tests.Kubernetes;

/// <summary>Small valid objects for client tests, each test in a namespace of its own.</summary>
internal static class TestObjects
{
    /// <summary>Creates a namespace with a unique name (never deleted: without a namespace controller it would only hang in Terminating).</summary>
    public static async Task<string> NamespaceAsync(IKubernetesClient client, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 63)];
        await client.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        return name;
    }

    public static Secret Secret(string ns, string name, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns, Labels = labels },
        StringData = new Dictionary<string, string> { ["key"] = "value" },
    };

    public static Deployment Deployment(string ns, string name, int replicas = 1) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new DeploymentSpec
        {
            Replicas = replicas,
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new PodSpec { Containers = [new Container { Name = "main", Image = "registry.invalid/app:1" }] },
            },
        },
    };

    public static Event Event(string ns, string name, string message) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        InvolvedObject = new ObjectReference { Kind = "Secret", Namespace = ns, Name = "subject", ApiVersion = "v1" },
        Reason = "Testing",
        Message = message,
        Type = "Normal",
    };
}
