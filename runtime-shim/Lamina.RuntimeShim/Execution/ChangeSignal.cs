namespace Lamina.RuntimeShim.Execution;

/// <summary>
/// "The environment's state changed": a task that completes at the next change, for those who wait
/// to check again (readiness, an invocation waiting for the runtime to initialise). Not thread-safe:
/// taken and pulsed under the environment's lock; continuations run asynchronously, never under it.
/// </summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource next = New();

    /// <summary>Completes at the next <see cref="Pulse"/>.</summary>
    public Task Next => next.Task;

    public void Pulse()
    {
        var signal = next;
        next = New();
        signal.TrySetResult();
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
