using Lamina.Operator.Api;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// What the controller needs from a Function's spec and the pool's admission.
/// </summary>
/// <param name="Reserved">Reserved concurrency (a hard cap), or null: the function shares the unreserved pool.</param>
/// <param name="Provisioned">Provisioned environments kept initialised (0 when the reservation was refused).</param>
/// <param name="IdleAfter">scaling.idleSeconds: without invocations this long, on-demand environments go.</param>
/// <param name="Refused">Why the function may not run (its reservation does not fit the pool), or null.</param>
/// <param name="TimeoutSeconds">spec.timeoutSeconds with its default: not a rule of the controller's, exported
/// with its gauges so an alert can set a function's duration against it.</param>
internal sealed record FunctionLimits(int? Reserved, int Provisioned, TimeSpan IdleAfter, string? Refused = null, int TimeoutSeconds = FunctionDefaults.TimeoutSeconds);
