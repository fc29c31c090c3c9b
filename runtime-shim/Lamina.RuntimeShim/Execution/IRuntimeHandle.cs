namespace Lamina.RuntimeShim.Execution;

/// <summary>What the environment needs from whoever runs the runtime process (the supervisor, or a test's fake).</summary>
internal interface IRuntimeHandle
{
    /// <summary>
    /// Stops the process of <paramref name="generation"/> at once, and only that one: by the time a
    /// reset is made, that runtime may have exited by itself and the next one started, which must
    /// live. A new one is started after it (a new cold start).
    /// </summary>
    void Reset(RuntimeGeneration generation);

    /// <summary>Waits (briefly) until everything the runtime has written so far has been read, so logs attribute to the right invocation.</summary>
    ValueTask FlushOutputAsync();

    /// <summary>The runtime process's peak resident memory, for the REPORT line; null when unknown.</summary>
    long? PeakMemoryBytes { get; }
}
