using System.Globalization;
using k8s.Models;
using Lamina.Contracts.Shim;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// A Deployment that runs a function's environments of one kind: data in, data out, no client, no
/// clock. The replica count is the caller's: provisioned concurrency for the provisioned Deployment,
/// the concurrency controller's answer (or what the Deployment already has) for the on-demand one.
/// A zip function's pod (docs/operator.md#a-zip-functions-pod) runs its runtime's image, and an init
/// container fetches the code and layers into read-only emptyDirs first (<see cref="CodePod"/>).
/// </summary>
internal static class DeploymentBuilder
{
    /// <summary>The init container that copies the shim into the pod.</summary>
    public const string InstallShimContainer = "install-shim";

    /// <summary>Lambda gives one vCPU per 1769 MB of memory.</summary>
    private const double MegabytesPerVcpu = 1769;

    /// <summary>The emptyDir install-shim copies the shim into.</summary>
    internal const string ShimVolume = "lamina-shim";
    private const string TmpVolume = "tmp";

    /// <summary>
    /// Builds the desired Deployment of <paramref name="function"/>'s <paramref name="kind"/> environments, with
    /// <paramref name="replicas"/> pods; a zip function needs its resolved <paramref name="package"/> (FunctionPackages).
    /// </summary>
    public static V1Deployment Build(Function function, EnvironmentKind kind, int replicas, OperatorDefaults defaults, FunctionPackage? package = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentOutOfRangeException.ThrowIfNegative(replicas);
        if ((function.Spec.Code is null) != (package is null))
        {
            throw new ArgumentException("a zip function's Deployment needs its package, and only a zip function has one", nameof(package));
        }

        var spec = EffectiveSpec.Of(function.Spec, package?.Runtime);
        return new V1Deployment
        {
            ApiVersion = $"{V1Deployment.KubeGroup}/{V1Deployment.KubeApiVersion}",
            Kind = V1Deployment.KubeKind,
            Metadata = new V1ObjectMeta
            {
                Name = Names.Deployment(function, kind),
                NamespaceProperty = function.Metadata.NamespaceProperty,
                Labels = Names.Labels(function, kind),
                OwnerReferences = OwnerReferences.ControlledBy(function),
            },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = Names.Selector(function, kind) },
                Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = RollingUpdate(spec) },
                RevisionHistoryLimit = 3,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Names.Labels(function, kind) },
                    Spec = package is null ? PodSpec(function, spec, kind, defaults) : CodePod.Add(PodSpec(function, spec, kind, defaults), function, package, defaults),
                },
            },
        };
    }

    /// <summary>
    /// Without a reservation, keep every ready environment while a new version starts (a surge pod
    /// first; in-flight work drains). With one, a surge pod could make more environments than the cap,
    /// so an old pod goes first: a rollout never exceeds <c>reserved</c> pods.
    /// </summary>
    private static V1RollingUpdateDeployment RollingUpdate(EffectiveSpec spec) => spec.Reserved is null
        ? new V1RollingUpdateDeployment { MaxUnavailable = 0, MaxSurge = 1 }
        : new V1RollingUpdateDeployment { MaxUnavailable = 1, MaxSurge = 0 };

    private static V1PodSpec PodSpec(Function function, EffectiveSpec spec, EnvironmentKind kind, OperatorDefaults defaults) => new()
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
                Name = InstallShimContainer,
                Image = defaults.ShimImage,
                ImagePullPolicy = defaults.ImagePullPolicy,
                Command = [ShimPod.Executable, "install", ShimPod.InstallTarget],
                Resources = new V1ResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("32Mi") },
                    Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") },
                },
                SecurityContext = RestrictedContainer(),
                VolumeMounts = [new V1VolumeMount { Name = ShimVolume, MountPath = ShimPod.InstallTarget }],
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
                Command = [ShimPod.Executable, "--", .. spec.Command],
                Args = [.. spec.Args],
                Env = LambdaEnvironment.For(function, spec, kind, defaults),
                Ports =
                [
                    new V1ContainerPort { Name = "invoke", ContainerPort = ShimPod.InvokePort, Protocol = "TCP" },
                    new V1ContainerPort { Name = "admin", ContainerPort = ShimPod.AdminPort, Protocol = "TCP" },
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
                    HttpGet = new V1HTTPGetAction { Path = ShimPod.ReadyPath, Port = "admin" },
                    PeriodSeconds = 1,
                    FailureThreshold = 1,
                },
                LivenessProbe = new V1Probe
                {
                    HttpGet = new V1HTTPGetAction { Path = ShimPod.HealthPath, Port = "admin" },
                    PeriodSeconds = 10,
                    FailureThreshold = 3,
                },
                SecurityContext = RestrictedContainer(),
                VolumeMounts =
                [
                    new V1VolumeMount { Name = ShimVolume, MountPath = ShimPod.InstallPath, ReadOnlyProperty = true },
                    new V1VolumeMount { Name = TmpVolume, MountPath = "/tmp" },
                ],
            },
        ],
        Volumes =
        [
            new V1Volume { Name = ShimVolume, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = "256Mi" } },
            // Lambda's ephemeral storage: the kubelet evicts a pod that writes more into its /tmp.
            new V1Volume { Name = TmpVolume, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = string.Create(CultureInfo.InvariantCulture, $"{spec.EphemeralStorageMB}Mi") } },
        ],
    };

    /// <summary>CPU in proportion to memory, in millicores, rounded up.</summary>
    internal static string CpuFor(int memoryMB) =>
        ((int)Math.Ceiling(memoryMB * 1000 / MegabytesPerVcpu)).ToString(CultureInfo.InvariantCulture) + "m";

    internal static V1SecurityContext RestrictedContainer() => new()
    {
        RunAsNonRoot = true,
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };
}
