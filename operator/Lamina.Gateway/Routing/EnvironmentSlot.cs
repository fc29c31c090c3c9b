using Lamina.Concurrency.V1;

namespace Lamina.Gateway.Routing;

/// <summary>One leased environment in its function's pool, with this replica's view of it. Changed only under the pool's lock.</summary>
internal sealed class EnvironmentSlot
{
    public EnvironmentSlot(LeasedEnvironments pool, Lease lease, FunctionEnvironment environment)
    {
        Pool = pool;
        Lease = lease;
        Environment = environment;
        IdleNode = new LinkedListNode<EnvironmentSlot>(this);
    }

    public LeasedEnvironments Pool { get; }

    /// <summary>The controller's grant: the lease id, the pod, whether the environment is provisioned.</summary>
    public Lease Lease { get; }

    public string LeaseId => Lease.LeaseId;

    public FunctionEnvironment Environment { get; }

    public EnvironmentState State { get; set; } = EnvironmentState.Idle;

    /// <summary>Revoked (or its lease expired) while an invocation was on it: released when that invocation ends.</summary>
    public bool Revoked { get; set; }

    /// <summary>Busy answers in a row; a completed invocation resets it.</summary>
    public int Refusals { get; set; }

    /// <summary>When it last became idle (a <see cref="TimeProvider"/> timestamp): idle release counts from here.</summary>
    public long IdleSince { get; set; }

    /// <summary>Its place in the pool's idle list (one node for its life: moving it allocates nothing).</summary>
    public LinkedListNode<EnvironmentSlot> IdleNode { get; }

    /// <summary>Ends a rest; made on the first rest and re-armed after.</summary>
    public ITimer? RestTimer { get; set; }
}
