namespace Lamina.Gateway.Routing;

/// <summary>What became of an invocation the gateway tried to run.</summary>
internal abstract record RouteResult
{
    private RouteResult()
    {
    }

    /// <summary>An environment ran it: the shim's completed answer.</summary>
    public sealed record Completed(ReadOnlyMemory<byte> Payload, string? FunctionError, string? LogResult) : RouteResult;

    /// <summary>
    /// The shim refused the request itself (400 invalid JSON or header, 413 over 6 MB): its Lambda
    /// error body and <c>X-Amzn-ErrorType</c>, to pass on as they are. Another environment would
    /// say the same, so it is not retried; the function did not run.
    /// </summary>
    public sealed record Rejected(int StatusCode, string? ErrorType, ReadOnlyMemory<byte> Body) : RouteResult;

    /// <summary>The function's queue on this replica is full: 429 TooManyRequestsException.</summary>
    public sealed record QueueFull : RouteResult;

    /// <summary>
    /// The controller refused an environment because a concurrency limit is in use: 429
    /// TooManyRequestsException with Lambda's <paramref name="Reason"/> (<see cref="ThrottleReasons"/>).
    /// </summary>
    public sealed record Throttled(string Reason, string Message) : RouteResult;

    /// <summary>The controller cannot give the function an environment (it cannot start one, or knows no such function): 502.</summary>
    public sealed record Failed(string Message) : RouteResult;

    /// <summary>No environment came within the wait: 502 (the function cannot start / serve).</summary>
    public sealed record NoEnvironment(string Message) : RouteResult;

    /// <summary>
    /// The environment was lost mid-invocation (pod killed): the function may have run, so it is not
    /// retried; callers get 200 with an Unhandled Runtime.ExitError, as Lambda reports a sandbox that died.
    /// </summary>
    public sealed record EnvironmentLost(string Message) : RouteResult;
}
