using System.Globalization;
using k8s.Models;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// The Deployment that runs a function: data in, data out, no client, no clock. It never sets
/// <c>spec.replicas</c>: scale belongs to the autoscaler, so applying a Function never resets it.
/// </summary>
internal static class DeploymentBuilder
{
    /// <summary>Lambda gives one vCPU per 1769 MB of memory.</summary>
    private const double MegabytesPerVcpu = 1769;

    private const string ShimVolume = "lamina-shim";
    private const string TmpVolume = "tmp";

    /// <summary>Builds the desired Deployment for <paramref name="function"/>.</summary>
    public static V1Deployment Build(Function function, OperatorDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(defaults);
        var spec = EffectiveSpec.Of(function.Spec);
        return new V1Deployment
        {
            ApiVersion = $"{V1Deployment.KubeGroup}/{V1Deployment.KubeApiVersion}",
            Kind = V1Deployment.KubeKind,
            Metadata = new V1ObjectMeta
            {
                Name = Names.Deployment(function),
                NamespaceProperty = function.Metadata.NamespaceProperty,
                Labels = Names.Labels(function),
                OwnerReferences = OwnerReferences.ControlledBy(function),
            },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = Names.Selector(function) },
                // Keep every ready environment while a new version starts: in-flight work drains.
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = 0, MaxSurge = 1 },
                },
                RevisionHistoryLimit = 3,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Names.Labels(function) },
                    Spec = PodSpec(function, spec, defaults),
                },
            },
        };
    }

    private static V1PodSpec PodSpec(Function function, EffectiveSpec spec, OperatorDefaults defaults) => new()
    {
        // Functions get no cluster credentials and no Service environment variables.
        AutomountServiceAccountToken = false,
        EnableServiceLinks = false,
        // The shim finishes the invocation in flight (up to the function's timeout) after SIGTERM.
        TerminationGracePeriodSeconds = spec.TimeoutSeconds + defaults.DrainSeconds,
        SecurityContext = new V1PodSecurityContext
        {
            RunAsNonRoot = true,
            RunAsUser = defaults.RunAsUser,
            RunAsGroup = defaults.RunAsUser,
            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
        },
        InitContainers =
        [
            new V1Container
            {
                Name = "install-shim",
                Image = defaults.ShimImage,
                ImagePullPolicy = defaults.ImagePullPolicy,
                Command = [ShimContract.Executable, "install", ShimContract.InstallTarget],
                Resources = new V1ResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("32Mi") },
                    Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") },
                },
                SecurityContext = RestrictedContainer(),
                VolumeMounts = [new V1VolumeMount { Name = ShimVolume, MountPath = ShimContract.InstallTarget }],
            },
        ],
        Containers =
        [
            new V1Container
            {
                Name = "function",
                Image = spec.Image,
                ImagePullPolicy = defaults.ImagePullPolicy,
                // The shim starts the runtime as its child: <shim> -- <command> <args>.
                Command = [ShimContract.Executable, "--", .. spec.Command],
                Args = [.. spec.Args],
                Env = LambdaEnvironment.For(function, spec, defaults),
                Ports =
                [
                    new V1ContainerPort { Name = "invoke", ContainerPort = ShimContract.InvokePort, Protocol = "TCP" },
                    new V1ContainerPort { Name = "admin", ContainerPort = ShimContract.AdminPort, Protocol = "TCP" },
                ],
                Resources = new V1ResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity>
                    {
                        ["cpu"] = new(CpuFor(spec.MemoryMB)),
                        ["memory"] = new($"{spec.MemoryMB}Mi"),
                    },
                    Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new($"{spec.MemoryMB}Mi") },
                },
                // Ready once the runtime has initialised; polled often so a new environment takes work at once.
                ReadinessProbe = new V1Probe
                {
                    HttpGet = new V1HTTPGetAction { Path = ShimContract.ReadyPath, Port = "admin" },
                    PeriodSeconds = 1,
                    FailureThreshold = 1,
                },
                LivenessProbe = new V1Probe
                {
                    HttpGet = new V1HTTPGetAction { Path = ShimContract.HealthPath, Port = "admin" },
                    PeriodSeconds = 10,
                    FailureThreshold = 3,
                },
                SecurityContext = RestrictedContainer(),
                VolumeMounts =
                [
                    new V1VolumeMount { Name = ShimVolume, MountPath = ShimContract.InstallPath, ReadOnlyProperty = true },
                    new V1VolumeMount { Name = TmpVolume, MountPath = "/tmp" },
                ],
            },
        ],
        Volumes =
        [
            new V1Volume { Name = ShimVolume, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = "256Mi" } },
            new V1Volume { Name = TmpVolume, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = defaults.TmpSizeLimit } },
        ],
    };

    /// <summary>CPU in proportion to memory, in millicores, rounded up.</summary>
    internal static string CpuFor(int memoryMB) =>
        ((int)Math.Ceiling(memoryMB * 1000 / MegabytesPerVcpu)).ToString(CultureInfo.InvariantCulture) + "m";

    private static V1SecurityContext RestrictedContainer() => new()
    {
        RunAsNonRoot = true,
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };
}
