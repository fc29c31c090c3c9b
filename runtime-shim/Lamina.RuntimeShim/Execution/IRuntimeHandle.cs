namespace Lamina.RuntimeShim.Execution;

/// <summary>What the environment needs from whoever runs the runtime process (the supervisor, or a test's fake).</summary>
internal interface IRuntimeHandle
{
    /// <summary>Stops the current runtime process at once; a new one is started (a new cold start).</summary>
    void Reset();

    /// <summary>Waits (briefly) until everything the runtime has written so far has been read, so logs attribute to the right invocation.</summary>
    ValueTask FlushOutputAsync();

    /// <summary>The runtime process's peak resident memory, for the REPORT line; null when unknown.</summary>
    long? PeakMemoryBytes { get; }
}
