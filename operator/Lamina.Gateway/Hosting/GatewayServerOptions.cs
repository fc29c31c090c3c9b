namespace Lamina.Gateway.Hosting;

/// <summary>
/// What one gateway lets its callers hold: Kestrel's limits and the bytes of request bodies buffered
/// at once. Section <c>Lamina:Gateway:Server</c>; validated on start (<see cref="GatewayServerOptionsValidator"/>).
/// Kestrel's defaults allow any number of connections and a body trickled at 240 bytes a second, so
/// a few hundred slow unauthenticated clients could hold a gateway's memory (issue 19).
/// </summary>
internal sealed class GatewayServerOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lamina:Gateway:Server";

    /// <summary>
    /// Open connections at once; one more is closed at accept. An idle Kestrel connection costs a few
    /// KiB, so 2048 stay well inside the chart's 512Mi next to the body budget, and exceed what the
    /// AWS SDKs' pools (50 connections each by default) of a few dozen clients open.
    /// </summary>
    public long MaxConcurrentConnections { get; set; } = 2048;

    /// <summary>
    /// All of a request's header lines together. Lambda's largest header, X-Amz-Client-Context, is
    /// 3583 bytes; a signed request's headers are under 5 KiB. 32 KiB is Kestrel's default, kept.
    /// </summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Header lines per request: an SDK sends about a dozen; 64 leaves room for proxies' additions.</summary>
    public int MaxRequestHeaderCount { get; set; } = 64;

    /// <summary>
    /// How long a client may take to send its request line and headers: a real client sends them in
    /// one write; 10 s (Kestrel's default is 30 s) frees a connection that trickles them.
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The slowest a body may arrive after <see cref="MinRequestBodyGracePeriod"/>, in bytes per second:
    /// Lambda's 6 MB limit at 64 KiB/s takes about 90 s, well inside the SDKs' timeouts, while a client
    /// trickling a body to hold buffers is cut off (Kestrel's default is 240 B/s: 7 hours for 6 MB).
    /// </summary>
    public double MinRequestBodyDataRate { get; set; } = 64 * 1024;

    /// <summary>How long a body may start slowly before the minimum rate applies (Kestrel's default, 5 s).</summary>
    public TimeSpan MinRequestBodyGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an idle keep-alive connection stays open. The AWS SDKs keep idle connections for
    /// about a minute; Kestrel's 130 s default would hold connections nobody uses for twice as long.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(65);

    /// <summary>
    /// The bytes of request bodies this gateway holds at once, across every request: past it a request
    /// is refused with 429 TooManyRequestsException before more is buffered. 192 MiB is three eighths
    /// of the chart's 512Mi limit: 32 bodies of Lambda's 6 MB maximum, or thousands of ordinary ones,
    /// with room left for the runtime, connections and answers. Set it to about that fraction of
    /// the container's memory limit.
    /// </summary>
    public long BodyBufferBudgetBytes { get; set; } = 192L * 1024 * 1024;
}
