using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>One container of a pod.</summary>
public sealed class Container
{
    public string? Name { get; set; }

    public string? Image { get; set; }

    public string? ImagePullPolicy { get; set; }

    public List<string>? Command { get; set; }

    public List<string>? Args { get; set; }

    public string? WorkingDir { get; set; }

    public List<EnvVar>? Env { get; set; }

    public List<ContainerPort>? Ports { get; set; }

    public ResourceRequirements? Resources { get; set; }

    public Probe? ReadinessProbe { get; set; }

    public Probe? LivenessProbe { get; set; }

    public Probe? StartupProbe { get; set; }

    public SecurityContext? SecurityContext { get; set; }

    public List<VolumeMount>? VolumeMounts { get; set; }

    public string? TerminationMessagePolicy { get; set; }

    /// <summary>Fields this model does not name, kept so that writing the object back loses nothing.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
