using Lamina.RuntimeShim.Execution;

namespace Lamina.RuntimeShim.Tests.Fakes;

/// <summary>
/// The runtime process as the environment sees it, without a process: it counts resets (a timeout or
/// a consumed init error kills the runtime), has no output left to flush, and reports a fixed peak memory.
/// </summary>
internal sealed class FakeRuntime : IRuntimeHandle
{
    private int _resets;

    /// <summary>How often the environment asked for the runtime to be killed and started again.</summary>
    public int Resets => Volatile.Read(ref _resets);

    /// <summary>64 MB: the REPORT line shows "Max Memory Used: 64 MB".</summary>
    public long? PeakMemoryBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Runs inside <see cref="Reset"/>: lets a test check what had (not) happened by then.</summary>
    public Action? OnReset { get; set; }

    public void Reset()
    {
        Interlocked.Increment(ref _resets);
        OnReset?.Invoke();
    }

    public ValueTask FlushOutputAsync() => ValueTask.CompletedTask;
}
