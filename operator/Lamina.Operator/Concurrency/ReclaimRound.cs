namespace Lamina.Operator.Concurrency;

/// <summary>
/// One round of asking the gateways that hold a function's leases to give back idle ones: the
/// controller answers the tickets it covers once every gateway asked has replied (or timed out).
/// </summary>
internal sealed class ReclaimRound(ulong id, DateTimeOffset started, long lastTicket)
{
    public ulong Id { get; } = id;

    public DateTimeOffset Started { get; } = started;

    /// <summary>The newest ticket when the holders were asked: those up to it are answered by the round.</summary>
    public long LastTicket { get; } = lastTicket;

    /// <summary>The gateways asked that have not replied yet.</summary>
    public HashSet<GatewaySession> Waiting { get; } = [];

    /// <summary>Leases given back in the round so far.</summary>
    public int Released { get; set; }
}
