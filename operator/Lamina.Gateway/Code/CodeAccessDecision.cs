namespace Lamina.Gateway.Code;

/// <summary>Whether a caller may read a blob: <see cref="CodeFetchOutcome.Served"/> when it may, else the refusal and why (logged and sent).</summary>
/// <param name="Outcome">Served (allowed), Unauthenticated, Forbidden or KubernetesUnavailable.</param>
/// <param name="Reason">Why, in words a cluster admin can act on; empty when allowed.</param>
internal readonly record struct CodeAccessDecision(CodeFetchOutcome Outcome, string Reason)
{
    public bool Allowed => Outcome == CodeFetchOutcome.Served;

    public static CodeAccessDecision Allow { get; } = new(CodeFetchOutcome.Served, "");

    public static CodeAccessDecision Forbid(string reason) => new(CodeFetchOutcome.Forbidden, reason);

    public static CodeAccessDecision Unauthenticated(string reason) => new(CodeFetchOutcome.Unauthenticated, reason);

    public static CodeAccessDecision Unavailable(string reason) => new(CodeFetchOutcome.KubernetesUnavailable, reason);
}
