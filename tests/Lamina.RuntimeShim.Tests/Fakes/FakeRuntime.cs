using Lamina.RuntimeShim.Execution;

namespace Lamina.RuntimeShim.Tests.Fakes;

/// <summary>
/// The runtime process as the environment sees it, without a process: it records resets (a timeout or
/// a consumed init error kills the runtime) and which runtime each was for, has no output left to
/// flush, and reports a fixed peak memory.
/// </summary>
internal sealed class FakeRuntime : IRuntimeHandle
{
    private readonly Lock _gate = new();
    private readonly List<RuntimeGeneration> _reset = [];

    /// <summary>How often the environment asked for the runtime to be killed and started again.</summary>
    public int Resets
    {
        get
        {
            lock (_gate)
            {
                return _reset.Count;
            }
        }
    }

    /// <summary>The generations the environment asked to kill, in order.</summary>
    public IReadOnlyList<RuntimeGeneration> ResetGenerations
    {
        get
        {
            lock (_gate)
            {
                return [.. _reset];
            }
        }
    }

    /// <summary>64 MB: the REPORT line shows "Max Memory Used: 64 MB".</summary>
    public long? PeakMemoryBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Runs inside <see cref="Reset"/>, before it is recorded: lets a test check what had (not) happened by then, or make something happen first.</summary>
    public Action? OnReset { get; set; }

    public void Reset(RuntimeGeneration generation)
    {
        OnReset?.Invoke();
        lock (_gate)
        {
            _reset.Add(generation);
        }
    }

    public ValueTask FlushOutputAsync() => ValueTask.CompletedTask;
}
