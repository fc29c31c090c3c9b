namespace Lamina.RuntimeShim.Supervision;

/// <summary>One run of the runtime, as the supervisor drives it: a <see cref="RuntimeProcess"/>, or a test's fake.</summary>
internal interface IRuntimeProcess : IDisposable
{
    int Id { get; }

    /// <summary>Completes with Lambda's description of how the process ended (<c>exit status 3</c>, <c>signal: killed</c>).</summary>
    Task<string> Exited { get; }

    /// <summary>Peak resident memory, or null when unknown.</summary>
    long? PeakMemoryBytes { get; }

    /// <summary>Kills the runtime and everything it started.</summary>
    void Kill();

    /// <summary>Asks the runtime to stop (SIGTERM).</summary>
    void Terminate();

    /// <summary>Waits (for at most <paramref name="bound"/>) until every byte the runtime wrote so far has been handed on.</summary>
    ValueTask FlushAsync(TimeSpan bound);
}

/// <summary>Starts a runtime process; throws <see cref="RuntimeStartException"/> when it cannot be executed.</summary>
internal delegate IRuntimeProcess RuntimeStarter(RuntimeLaunch launch, Action<ReadOnlyMemory<byte>, bool> onOutput);
