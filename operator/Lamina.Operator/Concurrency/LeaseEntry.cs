namespace Lamina.Operator.Concurrency;

/// <summary>
/// One lease: which gateway may send invocations to which of a function's environments. It counts
/// against the function's cap from grant (or adoption) until the gateway gives it back or expires,
/// revoked or not: a revoked lease's invocation may still be running.
/// </summary>
internal sealed class LeaseEntry(string id, FunctionEntry function, string pod, GatewaySession session)
{
    public string Id { get; } = id;

    public FunctionEntry Function { get; } = function;

    public string Pod { get; } = pod;

    /// <summary>The holder; a reconnect of the same gateway moves the lease to its new session.</summary>
    public GatewaySession Session { get; set; } = session;

    /// <summary>Asked back: its gateway returns it when its invocation (if any) ends, and uses it no more.</summary>
    public bool Revoked { get; set; }
}
