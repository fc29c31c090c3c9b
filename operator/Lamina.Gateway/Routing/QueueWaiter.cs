namespace Lamina.Gateway.Routing;

/// <summary>
/// An invocation waiting in its function's queue, holding one ticket at the controller. The pool
/// completes it, under its lock, exactly once: with an environment (now lent to it), with null and
/// a <see cref="Refusal"/> (the controller refused its ticket), with null alone (its wait expired),
/// or cancelled (its caller left). Continuations run asynchronously, never under the pool's lock.
/// </summary>
internal sealed class QueueWaiter
{
    private readonly TaskCompletionSource<EnvironmentSlot?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public QueueWaiter(LeasedEnvironments pool)
    {
        Pool = pool;
        Node = new LinkedListNode<QueueWaiter>(this);
    }

    public LeasedEnvironments Pool { get; }

    /// <summary>Its place in the queue; in no list once it has left.</summary>
    public LinkedListNode<QueueWaiter> Node { get; }

    /// <summary>The ticket the controller answers for it; another waiter's when a grant went to the head of the queue.</summary>
    public ulong Ticket { get; set; }

    /// <summary>What the caller gets when the controller refused its ticket.</summary>
    public RouteResult? Refusal { get; private set; }

    public Task<EnvironmentSlot?> Task => _done.Task;

    public void Grant(EnvironmentSlot slot) => _done.TrySetResult(slot);

    public void Refuse(RouteResult result)
    {
        Refusal = result;
        _done.TrySetResult(null);
    }

    public void Expire() => _done.TrySetResult(null);

    public void Cancel(CancellationToken cancellationToken) => _done.TrySetCanceled(cancellationToken);
}
