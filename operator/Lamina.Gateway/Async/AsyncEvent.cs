namespace Lamina.Gateway.Async;

/// <summary>
/// One Event invocation as it is stored: the caller's request, and what became of the attempts so far.
/// The request id stays the same on every attempt (the runtime sees it each time); <see cref="EnqueuedAt"/>
/// is the first enqueue, kept across retries, so the maximum event age counts from the caller's 202.
/// </summary>
internal sealed record AsyncEvent
{
    public required string RequestId { get; init; }

    public required ReadOnlyMemory<byte> Payload { get; init; }

    public required DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>Invocations already made.</summary>
    public int Attempt { get; init; }

    /// <summary>Of those, the ones that ended in a function error (they use up <c>maximumRetryAttempts</c>).</summary>
    public int FunctionErrors { get; init; }

    /// <summary>X-Amz-Client-Context as the caller sent it (base64), or null.</summary>
    public string? ClientContext { get; init; }

    /// <summary>X-Amzn-Trace-Id as the caller sent it, or null.</summary>
    public string? TraceId { get; init; }

    /// <summary>The last attempt's outcome, for the destination record; null before the first.</summary>
    public AttemptOutcome? LastOutcome { get; init; }

    /// <summary>A fresh event: no attempt made yet.</summary>
    public static AsyncEvent New(string requestId, ReadOnlyMemory<byte> payload, DateTimeOffset enqueuedAt, string? clientContext, string? traceId) => new()
    {
        RequestId = requestId,
        Payload = payload,
        EnqueuedAt = enqueuedAt,
        ClientContext = clientContext,
        TraceId = traceId,
    };

    /// <summary>This event after one more attempt that ended in <paramref name="outcome"/>.</summary>
    public AsyncEvent After(AttemptOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return this with
        {
            Attempt = Attempt + 1,
            FunctionErrors = FunctionErrors + (outcome.Kind == AttemptOutcomeKind.FunctionError ? 1 : 0),
            LastOutcome = outcome,
        };
    }

    /// <summary>The same request, as if just enqueued (a redrive): a fresh attempt budget and age.</summary>
    public AsyncEvent Redriven(DateTimeOffset now) => this with { EnqueuedAt = now, Attempt = 0, FunctionErrors = 0, LastOutcome = null };
}
