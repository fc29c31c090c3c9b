using System.Globalization;
using Lamina.Kubernetes.Models;
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
    public static Deployment Build(Function function, OperatorDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(defaults);
        var spec = EffectiveSpec.Of(function.Spec);
        return new Deployment
        {
            Metadata = new ObjectMeta
            {
                Name = Names.Deployment(function),
                Namespace = function.Metadata.Namespace,
                Labels = Names.Labels(function),
                OwnerReferences = OwnerReferences.ControlledBy(function),
            },
            Spec = new DeploymentSpec
            {
                Selector = new LabelSelector { MatchLabels = Names.Selector(function) },
                // Keep every ready environment while a new version starts: in-flight work drains.
                Strategy = new DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new RollingUpdateDeployment { MaxUnavailable = 0, MaxSurge = 1 },
                },
                RevisionHistoryLimit = 3,
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = Names.Labels(function) },
                    Spec = PodSpec(function, spec, defaults),
                },
            },
        };
    }

    private static PodSpec PodSpec(Function function, EffectiveSpec spec, OperatorDefaults defaults) => new()
    {
        // Functions get no cluster credentials and no Service environment variables.
        AutomountServiceAccountToken = false,
        EnableServiceLinks = false,
        // The shim finishes the invocation in flight (up to the function's timeout) after SIGTERM.
        TerminationGracePeriodSeconds = spec.TimeoutSeconds + defaults.DrainSeconds,
        SecurityContext = new PodSecurityContext
        {
            RunAsNonRoot = true,
            RunAsUser = defaults.RunAsUser,
            RunAsGroup = defaults.RunAsUser,
            SeccompProfile = new SeccompProfile { Type = "RuntimeDefault" },
        },
        InitContainers =
        [
            new Container
            {
                Name = "install-shim",
                Image = defaults.ShimImage,
                ImagePullPolicy = defaults.ImagePullPolicy,
                Command = [ShimContract.Executable, "install", ShimContract.InstallTarget],
                Resources = new ResourceRequirements
                {
                    Requests = new Dictionary<string, string> { ["cpu"] = "10m", ["memory"] = "32Mi" },
                    Limits = new Dictionary<string, string> { ["memory"] = "64Mi" },
                },
                SecurityContext = RestrictedContainer(),
                VolumeMounts = [new VolumeMount { Name = ShimVolume, MountPath = ShimContract.InstallTarget }],
            },
        ],
        Containers =
        [
            new Container
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
                    new ContainerPort { Name = "invoke", Number = ShimContract.InvokePort, Protocol = "TCP" },
                    new ContainerPort { Name = "admin", Number = ShimContract.AdminPort, Protocol = "TCP" },
                ],
                Resources = new ResourceRequirements
                {
                    Requests = new Dictionary<string, string>
                    {
                        ["cpu"] = CpuFor(spec.MemoryMB),
                        ["memory"] = $"{spec.MemoryMB}Mi",
                    },
                    Limits = new Dictionary<string, string> { ["memory"] = $"{spec.MemoryMB}Mi" },
                },
                // Ready once the runtime has initialised; polled often so a new environment takes work at once.
                ReadinessProbe = new Probe
                {
                    HttpGet = new HttpGetAction { Path = ShimContract.ReadyPath, Port = "admin" },
                    PeriodSeconds = 1,
                    FailureThreshold = 1,
                },
                LivenessProbe = new Probe
                {
                    HttpGet = new HttpGetAction { Path = ShimContract.HealthPath, Port = "admin" },
                    PeriodSeconds = 10,
                    FailureThreshold = 3,
                },
                SecurityContext = RestrictedContainer(),
                VolumeMounts =
                [
                    new VolumeMount { Name = ShimVolume, MountPath = ShimContract.InstallPath, ReadOnly = true },
                    new VolumeMount { Name = TmpVolume, MountPath = "/tmp" },
                ],
            },
        ],
        Volumes =
        [
            new Volume { Name = ShimVolume, EmptyDir = new EmptyDirVolumeSource { SizeLimit = "256Mi" } },
            new Volume { Name = TmpVolume, EmptyDir = new EmptyDirVolumeSource { SizeLimit = defaults.TmpSizeLimit } },
        ],
    };

    /// <summary>CPU in proportion to memory, in millicores, rounded up.</summary>
    internal static string CpuFor(int memoryMB) =>
        ((int)Math.Ceiling(memoryMB * 1000 / MegabytesPerVcpu)).ToString(CultureInfo.InvariantCulture) + "m";

    private static SecurityContext RestrictedContainer() => new()
    {
        RunAsNonRoot = true,
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        Capabilities = new Capabilities { Drop = ["ALL"] },
    };
}
