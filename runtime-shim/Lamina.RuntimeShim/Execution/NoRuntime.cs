namespace Lamina.RuntimeShim.Execution;

/// <summary>The environment's runtime until the supervisor attaches: nothing to reset, flush or measure.</summary>
internal sealed class NoRuntime : IRuntimeHandle
{
    public static NoRuntime Instance { get; } = new();

    public long? PeakMemoryBytes => null;

    public void Reset(RuntimeGeneration generation)
    {
    }

    public ValueTask FlushOutputAsync() => ValueTask.CompletedTask;
}
