namespace Lamina.Operator.Concurrency;

/// <summary>A waiting invocation's ask; <paramref name="Sequence"/> orders every ticket this leader took.</summary>
/// <param name="Session">The gateway that asked, on the stream it asked on.</param>
/// <param name="Id">The gateway's own number for the ticket (answers and cancels name it).</param>
/// <param name="Sequence">This leader's running count of tickets: reclaim rounds answer those up to a point.</param>
internal sealed record Ticket(GatewaySession Session, ulong Id, long Sequence);
