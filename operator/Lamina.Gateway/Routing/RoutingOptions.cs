namespace Lamina.Gateway.Routing;

/// <summary>How the gateway finds environments and queues invocations: section <c>Lamina:Gateway:Routing</c>.</summary>
internal sealed class RoutingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lamina:Gateway:Routing";

    /// <summary>
    /// Invocations of one function that may wait for an environment on this replica; one more is
    /// throttled at once (429). 100 absorbs a burst while environments finish or start, yet bounds
    /// the connections and memory a stuck function can hold.
    /// </summary>
    public int QueueSize { get; set; } = 100;

    /// <summary>
    /// The longest an invocation waits for an environment before it fails (502): long enough for
    /// environments to free up or start, far inside the AWS SDKs' 60 s read timeout.
    /// </summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A TCP connect to a shim: in-cluster connects take milliseconds, and a pod IP that silently
    /// drops packets (a pod gone before the informer says so) must not stall the invocation long.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The most one shim call may take: Lambda's longest function timeout (900 s) and a minute for
    /// the shim to end the invocation and answer. Never shorter than 900 s.
    /// </summary>
    public TimeSpan InvocationTimeout { get; set; } = TimeSpan.FromMinutes(16);

    /// <summary>
    /// How long an environment that answered busy or unavailable (or could not be reached) rests
    /// before this replica offers it work again; doubled on each further such answer up to
    /// <see cref="MaxRetryDelay"/>, reset by a completed invocation. Without it a waiting invocation
    /// would poll an environment another replica is using.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest rest, so a waiting invocation still tries within its queue timeout.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The shim's invoke port for pods that declare no container port named <c>invoke</c>.</summary>
    public int ShimPort { get; set; } = ShimInvokeContract.DefaultPort;

    /// <summary>The namespaces whose function pods are watched; all namespaces when empty.</summary>
    public IList<string> Namespaces { get; } = [];
}
