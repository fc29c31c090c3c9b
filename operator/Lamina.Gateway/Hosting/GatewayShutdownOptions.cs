namespace Lamina.Gateway.Hosting;

/// <summary>
/// How a gateway stops (<see cref="GatewayDrain"/>): section <c>Lamina:Gateway:Shutdown</c>,
/// validated on start. The chart sets the pod's terminationGracePeriodSeconds above
/// <see cref="Timeout"/>, so the process has finished before the kubelet would kill it.
/// </summary>
internal sealed class GatewayShutdownOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lamina:Gateway:Shutdown";

    /// <summary>
    /// After SIGTERM, how long the gateway keeps taking invocations while /readyz answers 503: the
    /// endpoints controller and every node's kube-proxy need a few seconds to stop sending it new
    /// connections, and an invocation that still arrives then is served, not failed.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The whole stop, drain delay included (.NET's HostOptions.ShutdownTimeout): invocations still
    /// running when it ends are cut off. 25 s leaves 5 s of the chart's 30 s grace period for the
    /// runtime to exit; the chart raises both together.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// How much of <see cref="Timeout"/> is kept, after the invocations, for the leases' release to
    /// reach the controller and for the remaining services to stop.
    /// </summary>
    public static readonly TimeSpan ReleaseAllowance = TimeSpan.FromSeconds(2);
}
