namespace Lamina.RuntimeShim.Execution;

/// <summary>One invocation's state inside the environment. Mutated only under the environment's lock.</summary>
internal sealed class Invocation(InvocationRequest request, DateTimeOffset deadline, string traceId, long acceptedTimestamp)
{
    public InvocationRequest Request { get; } = request;

    public string RequestId => Request.RequestId;

    /// <summary>When the function's time is up: Lambda-Runtime-Deadline-Ms.</summary>
    public DateTimeOffset Deadline { get; } = deadline;

    public string TraceId { get; } = traceId;

    /// <summary>How long it was given: the function's timeout, or less when the caller's deadline is earlier.</summary>
    public TimeSpan Allowed { get; init; }

    public long AcceptedTimestamp { get; } = acceptedTimestamp;

    /// <summary>When the runtime received the event (0 until then).</summary>
    public long DeliveredTimestamp { get; set; }

    public InvocationState State { get; set; } = InvocationState.Pending;

    public bool ColdStart { get; set; }

    public TimeSpan? InitDuration { get; set; }

    /// <summary>The invocation's log: what the runtime printed while it ran, and the shim's START/END/REPORT lines.</summary>
    public LogTail Tail { get; } = new();

    public ITimer? DeadlineTimer { get; set; }

    public TaskCompletionSource<InvocationResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Where an invocation is in its life.</summary>
internal enum InvocationState
{
    /// <summary>Accepted; the runtime has not asked for it yet.</summary>
    Pending,

    /// <summary>The runtime received it from <c>next</c>.</summary>
    Running,

    /// <summary>Its outcome is known (result, error, timeout or exit); the log is being closed.</summary>
    Completing,
}
