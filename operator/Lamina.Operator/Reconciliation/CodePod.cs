using k8s.Models;
using Lamina.Contracts.Code;
using Lamina.Contracts.Shim;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// What a zip function's pod adds to an image function's (docs/operator.md#a-zip-functions-pod): the
/// code and layers emptyDirs, read-only in the function container at /var/task and /opt, and the
/// <c>fetch-code</c> init container that fills them, the only container that gets a token. Every digest
/// is in the pod template, so a code or layer change is a new template and the Deployment rolls.
/// </summary>
internal static class CodePod
{
    /// <summary>The init container that fetches and unpacks the code and layers.</summary>
    public const string FetchCodeContainer = "fetch-code";

    /// <summary>Where fetch-code sees a ConfigMap's zip (the kubelet mounts the one key as this file).</summary>
    public const string ConfigMapFile = ConfigMapMount + "/" + ConfigMapFileName;

    private const string CodeVolume = "lamina-code";
    private const string LayersVolume = "lamina-layers";
    private const string TokenVolume = "lamina-code-token";
    private const string ConfigMapVolume = "lamina-code-configmap";
    private const string ConfigMapMount = "/var/run/lamina.dev/code-configmap";
    private const string ConfigMapFileName = "function.zip";

    /// <summary>The shortest a projected token may live (the API server's minimum): fetch-code reads it once, at start.</summary>
    private const long TokenExpirationSeconds = 600;

    /// <summary>
    /// Lambda's limit on the unzipped function and layers together: each emptyDir gets all of it, as
    /// either may hold most of it; the fetch enforces the sum.
    /// </summary>
    private static readonly string UnzippedLimit = $"{CodeFetchContract.MaxUnzippedBytes / (1024 * 1024)}Mi";

    /// <summary><paramref name="pod"/> (an image function's pod of the runtime's image) with the fetch step and code volumes added.</summary>
    public static V1PodSpec Add(V1PodSpec pod, Function function, FunctionPackage package, OperatorDefaults defaults)
    {
        var runner = pod.Containers.Single(c => c.Name == "function");
        // /opt before /opt/lamina: the shim's emptyDir is mounted inside the layers' one. The mount point
        // it needs there is made by fetch-code, where /opt is writable (below), so the runtime's read-only
        // /opt already has it.
        runner.VolumeMounts =
        [
            new V1VolumeMount { Name = CodeVolume, MountPath = CodeFetchContract.TaskPath, ReadOnlyProperty = true },
            new V1VolumeMount { Name = LayersVolume, MountPath = CodeFetchContract.OptPath, ReadOnlyProperty = true },
            .. runner.VolumeMounts,
        ];
        pod.InitContainers.Add(FetchCode(function, package, defaults));
        pod.Volumes =
        [
            .. pod.Volumes,
            new V1Volume { Name = CodeVolume, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = UnzippedLimit } },
            new V1Volume { Name = LayersVolume, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = UnzippedLimit } },
            new V1Volume
            {
                Name = TokenVolume,
                Projected = new V1ProjectedVolumeSource
                {
                    Sources =
                    [
                        new V1VolumeProjection
                        {
                            ServiceAccountToken = new V1ServiceAccountTokenProjection
                            {
                                Audience = CodeFetchContract.TokenAudience,
                                ExpirationSeconds = TokenExpirationSeconds,
                                Path = TokenFileName,
                            },
                        },
                    ],
                },
            },
        ];
        if (package.ConfigMap is { } source)
        {
            pod.Volumes.Add(new V1Volume
            {
                Name = ConfigMapVolume,
                ConfigMap = new V1ConfigMapVolumeSource { Name = source.Name, Items = [new V1KeyToPath { Key = source.Key, Path = ConfigMapFileName }] },
            });
        }

        return pod;
    }

    /// <summary>The fetch command's arguments after <c>fetch</c>, in the contract's terms (CodeFetchContract).</summary>
    internal static List<string> FetchArguments(Function function, FunctionPackage package, OperatorDefaults defaults)
    {
        var args = new List<string> { CodeFetchContract.CodeOption, package.Code.ToArgument() };
        if (package.ConfigMap is not null)
        {
            args.AddRange([CodeFetchContract.CodeFileOption, ConfigMapFile]);
        }

        foreach (var layer in package.Layers)
        {
            args.AddRange([CodeFetchContract.LayerOption, layer.ToArgument()]);
        }

        // Without a store only a ConfigMap without layers can be fetched (FunctionPackages refuses the rest).
        if (defaults.CodeEndpoint is { Length: > 0 } store)
        {
            args.AddRange([CodeFetchContract.StoreOption, store]);
        }

        args.AddRange(
        [
            CodeFetchContract.NamespaceOption, function.Metadata.NamespaceProperty!,
            CodeFetchContract.TokenFileOption, CodeFetchContract.TokenPath,
            CodeFetchContract.TaskOption, CodeFetchContract.TaskPath,
            CodeFetchContract.OptOption, CodeFetchContract.OptPath,
        ]);
        return args;
    }

    private static string TokenDirectory => CodeFetchContract.TokenPath[..CodeFetchContract.TokenPath.LastIndexOf('/')];

    private static string TokenFileName => CodeFetchContract.TokenPath[(CodeFetchContract.TokenPath.LastIndexOf('/') + 1)..];

    private static V1Container FetchCode(Function function, FunctionPackage package, OperatorDefaults defaults)
    {
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = CodeVolume, MountPath = CodeFetchContract.TaskPath },
            new() { Name = LayersVolume, MountPath = CodeFetchContract.OptPath },
            // The shim install-shim copied, at the path its loader expects; mounting it inside the writable
            // /opt also leaves the mount point the function container's read-only /opt needs.
            new() { Name = DeploymentBuilder.ShimVolume, MountPath = ShimPod.InstallPath, ReadOnlyProperty = true },
            new() { Name = TokenVolume, MountPath = TokenDirectory, ReadOnlyProperty = true },
        };
        if (package.ConfigMap is not null)
        {
            mounts.Add(new V1VolumeMount { Name = ConfigMapVolume, MountPath = ConfigMapMount, ReadOnlyProperty = true });
        }

        return new V1Container
        {
            Name = FetchCodeContainer,
            Image = defaults.ShimImage,
            ImagePullPolicy = defaults.ImagePullPolicy,
            Command = [ShimPod.Executable, CodeFetchContract.Command],
            Args = FetchArguments(function, package, defaults),
            Resources = new V1ResourceRequirements
            {
                // Unpacking streams: little memory; no CPU limit, so a cold start's fetch is as fast as the node allows.
                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m"), ["memory"] = new("32Mi") },
                Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("256Mi") },
            },
            SecurityContext = DeploymentBuilder.RestrictedContainer(),
            // Why a fetch failed (digest mismatch, store down, a zip that unpacks outside its target) is what
            // it printed: the kubelet keeps the log's tail as the termination message, the Function's condition.
            TerminationMessagePolicy = "FallbackToLogsOnError",
            VolumeMounts = mounts,
        };
    }
}
