namespace Lamina.Gateway.Routing;

/// <summary>How the gateway queues invocations and calls environments: section <c>Lamina:Gateway:Routing</c>.</summary>
internal sealed class RoutingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lamina:Gateway:Routing";

    /// <summary>
    /// Invocations of one function that may wait for an environment on this replica; one more is
    /// throttled at once (429). 100 absorbs a burst while environments finish or start, yet bounds
    /// the connections and memory a stuck function can hold. At least 1: an invocation that finds no
    /// idle environment waits here for its lease, so without a queue no environment would ever come.
    /// </summary>
    public int QueueSize { get; set; } = 100;

    /// <summary>
    /// The longest an invocation waits for an environment before it fails (502). A cold start on a
    /// busy node (schedule, pull, start the runtime, init) takes seconds, and the controller answers
    /// a ticket only once an environment is ready: 30 s leaves room for that and stays inside the
    /// AWS SDKs' 60 s read timeout.
    /// </summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A TCP connect to a shim: in-cluster connects take milliseconds, and a pod IP that silently
    /// drops packets (a pod gone before its lease is revoked) must not stall the invocation long.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The most one shim call may take: Lambda's longest function timeout (900 s) and a minute for
    /// the shim to end the invocation and answer. Never shorter than 900 s.
    /// </summary>
    public TimeSpan InvocationTimeout { get; set; } = TimeSpan.FromMinutes(16);

    /// <summary>
    /// How long an environment that answered busy rests before this replica offers it work again;
    /// doubled on each further busy answer up to <see cref="MaxRetryDelay"/>, reset by a completed
    /// invocation. With leases a busy answer means another replica still holds a stale lease there;
    /// without the rest a waiting invocation would poll it.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest rest, so a waiting invocation still tries within its queue timeout.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
