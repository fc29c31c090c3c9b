namespace Lamina.Contracts.Shim;

/// <summary>
/// How the operator wires the runtime shim into a function pod, and what the shim expects of it
/// (docs/runtime-shim.md). The shim image carries the shim with its own loader and libraries under
/// <see cref="InstallPath"/>; an init container copies that folder into an emptyDir, which the
/// function container mounts at the same path, so the shim runs in any image.
/// </summary>
public static class ShimPod
{
    /// <summary>
    /// Where the shim's folder lives, in the shim image and in the function container (the shim's
    /// loader and rpath are patched to this path: hack/images/runtime-shim/build.sh).
    /// </summary>
    public const string InstallPath = "/opt/lamina";

    /// <summary>The shim program inside <see cref="InstallPath"/>.</summary>
    public const string Executable = InstallPath + "/runtime-shim";

    /// <summary>Where the init container sees the shared emptyDir it copies into.</summary>
    public const string InstallTarget = "/mnt/lamina";

    /// <summary>The shim's invoke-contract port (for the gateway): the shim's default --invoke-address.</summary>
    public const int InvokePort = 8080;

    /// <summary>The shim's health and metrics port: the shim's default --admin-address.</summary>
    public const int AdminPort = 9090;

    /// <summary>The Runtime API address the runtime child calls (AWS_LAMBDA_RUNTIME_API): loopback, so only the pod's own processes reach it.</summary>
    public const string RuntimeApi = "127.0.0.1:9001";

    /// <summary>Readiness: the runtime has initialised (called next for the first time).</summary>
    public const string ReadyPath = "/readyz";

    /// <summary>The query parameter of <see cref="ReadyPath"/> that holds the answer until ready, for up to that many milliseconds (the shim caps it at 10 s).</summary>
    public const string ReadyWaitParameter = "wait";

    /// <summary>Liveness: the shim itself answers.</summary>
    public const string HealthPath = "/healthz";
}
