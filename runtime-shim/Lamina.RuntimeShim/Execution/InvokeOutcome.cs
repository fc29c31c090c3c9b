namespace Lamina.RuntimeShim.Execution;

/// <summary>What happened to an invoke request: it ran, or the environment could not take it.</summary>
internal abstract record InvokeOutcome
{
    private InvokeOutcome()
    {
    }

    /// <summary>The invocation ran (successfully or not); the result is for the caller.</summary>
    public sealed record Completed(InvocationResult Result) : InvokeOutcome;

    /// <summary>Another invocation is in flight: the caller should try another environment.</summary>
    public sealed record Busy : InvokeOutcome
    {
        public static Busy Instance { get; } = new();
    }

    /// <summary>Not initialised, resetting or draining: the caller should try another environment.</summary>
    public sealed record Unavailable(string Reason) : InvokeOutcome;
}
