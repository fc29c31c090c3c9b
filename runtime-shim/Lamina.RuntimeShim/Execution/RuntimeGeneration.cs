namespace Lamina.RuntimeShim.Execution;

/// <summary>
/// One run of the runtime process, from start to exit. A reset (timeout, init error) or a crash ends a
/// generation; the next one is a new cold start. Mutated only under the environment's lock.
/// </summary>
internal sealed class RuntimeGeneration(int number, long startedTimestamp)
{
    public int Number { get; } = number;

    public long StartedTimestamp { get; } = startedTimestamp;

    /// <summary>The runtime has called <c>next</c> at least once: its initialisation is done.</summary>
    public bool Initialised { get; set; }

    public TimeSpan InitDuration { get; set; }

    /// <summary>Whether an invocation has been given to this generation (the first one is the cold start).</summary>
    public bool Served { get; set; }

    /// <summary>At least one invocation succeeded: the runtime works, so a later crash restarts it without backoff.</summary>
    public bool Healthy { get; set; }

    /// <summary>The shim is stopping this generation (timeout, consumed init error, drain): no new invocations.</summary>
    public bool Retiring { get; set; }

    public bool Exited { get; set; }

    /// <summary>What the runtime printed before its first <c>next</c>: the log tail of an init failure.</summary>
    public LogTail InitOutput { get; } = new();
}
