namespace Lamina.Gateway.Async;

/// <summary>How one invocation attempt ended, as the retry rules see it (docs/lambda-contracts.md#retries).</summary>
internal enum AttemptOutcomeKind
{
    /// <summary>The function ran and returned a result.</summary>
    Success,

    /// <summary>The function ran and failed (an error it reported, a timeout, a crashed environment: all Unhandled): retried up to <c>maximumRetryAttempts</c>.</summary>
    FunctionError,

    /// <summary>429: a concurrency limit was in use. Retried with backoff until the maximum event age.</summary>
    Throttled,

    /// <summary>5xx: no environment, the gateway failed, no such function yet. Retried with backoff until the maximum event age.</summary>
    SystemError,

    /// <summary>The environment refused the request itself; any other would say the same, so it is never retried.</summary>
    Rejected,
}
