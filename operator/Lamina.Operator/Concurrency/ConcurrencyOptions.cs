namespace Lamina.Operator.Concurrency;

/// <summary>The concurrency controller's settings: configuration section <c>Lamina:Operator:Concurrency</c>.</summary>
public sealed class ConcurrencyOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lamina:Operator:Concurrency";

    /// <summary>Lambda's default account-wide concurrency limit: executions at once in the whole cluster.</summary>
    public int PoolSize { get; set; } = 1000;

    /// <summary>Lambda's rule: at least 100 of the pool stay unreserved, so unreserved functions can always run.</summary>
    public int UnreservedMinimum { get; set; } = 100;

    /// <summary>
    /// Where the gRPC service listens (plaintext HTTP/2). The leader announces it in its Lease's
    /// holderIdentity; <see cref="AdvertisedAddress"/> says what to announce when the bind address is
    /// not reachable as such (0.0.0.0 in a pod).
    /// </summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:8082";

    /// <summary>The address gateways dial; the pod IP and the gRPC port in a cluster (POD_IP), else <see cref="GrpcUrl"/>.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// How long a gateway may use a lease after the last message from the controller, and how long a
    /// new leader learns before it grants. Longer than a crashed leader's Lease takes to expire (15 s)
    /// and a successor to start, so warm invocations flow through a failover.
    /// </summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Extra time the controller keeps a disconnected gateway's leases beyond <see cref="LeaseTtl"/>: clock skew and slow streams.</summary>
    public TimeSpan LeaseGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A gateway that has not answered a reclaim within this long counts as having every lease busy.</summary>
    public TimeSpan ReclaimTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Knative's stable window: the average demand over it sets the steady number of environments.</summary>
    public TimeSpan StableWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Knative's panic window: a burst over it scales up at once and stops scale-down.</summary>
    public TimeSpan PanicWindow { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Knative's panic threshold: panic when the panic window asks for this many times the ready environments.</summary>
    public double PanicThreshold { get; set; } = 2.0;

    /// <summary>How often the autoscaler samples demand and decides; gateways report demand at the same pace.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often a starting environment's shim is asked whether it is ready: the controller learns it
    /// within this, instead of the kubelet's probe period (1 s) plus the status round trip.
    /// </summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMilliseconds(50);
}
