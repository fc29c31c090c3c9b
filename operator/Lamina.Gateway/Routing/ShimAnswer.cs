namespace Lamina.Gateway.Routing;

/// <summary>
/// One environment's answer: the outcome, the caller's result when it is final
/// (<see cref="ShimOutcome.Completed"/>, <see cref="ShimOutcome.Rejected"/>, <see cref="ShimOutcome.Lost"/>),
/// and why, for the log.
/// </summary>
internal readonly record struct ShimAnswer(ShimOutcome Outcome, RouteResult? Result, string? Detail)
{
    /// <summary>Whether another environment should be tried.</summary>
    public bool TryAnother => Outcome is ShimOutcome.Busy or ShimOutcome.Unavailable or ShimOutcome.NotDelivered;

    public static ShimAnswer Lost(string detail) => new(ShimOutcome.Lost, new RouteResult.EnvironmentLost(detail), detail);
}
