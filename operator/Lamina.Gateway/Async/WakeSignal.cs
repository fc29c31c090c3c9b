namespace Lamina.Gateway.Async;

/// <summary>
/// Wakes this replica's idle workers at once when it stores an event or moves a due retry back into a
/// stream, instead of after their poll interval (StackExchange.Redis multiplexes one connection and
/// offers no blocking <c>XREADGROUP</c>). An event stored through another replica still waits for a
/// poll here, or is read by that replica's own workers, which it woke.
/// </summary>
internal sealed class WakeSignal
{
    private TaskCompletionSource _current = New();

    /// <summary>
    /// Completes at the next <see cref="Set"/>. Take it before looking for work: a <see cref="Set"/>
    /// while looking then completes it, so the wait after finding nothing returns at once.
    /// </summary>
    public Task Next => Volatile.Read(ref _current).Task;

    /// <summary>Wakes whoever holds <see cref="Next"/>.</summary>
    public void Set() => Interlocked.Exchange(ref _current, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
