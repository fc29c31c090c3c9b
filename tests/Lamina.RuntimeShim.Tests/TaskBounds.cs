namespace Lamina.RuntimeShim.Tests;

/// <summary>
/// A safety net, not a wait: a task a test expects to finish is awaited for at most a few real seconds,
/// so a regression fails the test instead of hanging the run. No test logic depends on this time.
/// </summary>
internal static class TaskBounds
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Bound);

    public static Task Bounded(this Task task) => task.WaitAsync(Bound);
}
