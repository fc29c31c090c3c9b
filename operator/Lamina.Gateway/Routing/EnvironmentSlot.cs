namespace Lamina.Gateway.Routing;

/// <summary>One environment in its function's pool, with this replica's view of it. Changed only under the pool's lock.</summary>
internal sealed class EnvironmentSlot
{
    public EnvironmentSlot(FunctionPool pool, FunctionEnvironment environment)
    {
        Pool = pool;
        Environment = environment;
        IdleNode = new LinkedListNode<EnvironmentSlot>(this);
    }

    public FunctionPool Pool { get; }

    public FunctionEnvironment Environment { get; }

    public EnvironmentState State { get; set; } = EnvironmentState.Idle;

    /// <summary>Its pod left while an invocation was on it: dropped when that invocation ends, unless the pod comes back first.</summary>
    public bool Removed { get; set; }

    /// <summary>Busy, unavailable or unreachable answers in a row; a completed invocation resets it.</summary>
    public int Refusals { get; set; }

    /// <summary>Its place in the pool's idle list (one node for its life: moving it allocates nothing).</summary>
    public LinkedListNode<EnvironmentSlot> IdleNode { get; }

    /// <summary>Ends a rest; made on the first rest and re-armed after.</summary>
    public ITimer? RestTimer { get; set; }
}
