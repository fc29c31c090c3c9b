using Lamina.Concurrency.V1;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// One gateway process as the controller knows it: its stream (while connected), the leases it holds,
/// and what is waiting to be sent to it. Changed only under <see cref="ConcurrencyState"/>'s lock; the
/// stream's writer takes the outbox with <see cref="ConcurrencyState.TakeOutbox"/>.
/// </summary>
internal sealed class GatewaySession(string gatewayId, long connection)
{
    public string GatewayId { get; } = gatewayId;

    /// <summary>Which stream of this gateway (a reconnect makes a new session object with a higher number).</summary>
    public long Connection { get; } = connection;

    public bool Connected { get; set; } = true;

    /// <summary>When its leases return to the pool, once disconnected.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Leases this gateway holds.</summary>
    public HashSet<string> Leases { get; } = new(StringComparer.Ordinal);

    /// <summary>The gateway's last report, per function.</summary>
    public Dictionary<FunctionId, Demand> Demand { get; } = [];

    /// <summary>What the writer sends next.</summary>
    public ControllerMessage Outbox { get; set; } = new();

    /// <summary>Released when the outbox has something; the writer also wakes every tick for a heartbeat.</summary>
    public SemaphoreSlim Signal { get; } = new(0);

    public bool HasOutbox => Outbox.Grants.Count > 0 || Outbox.Refusals.Count > 0 || Outbox.Revokes.Count > 0 || Outbox.Reclaims.Count > 0;

    public override string ToString() => $"{GatewayId}#{Connection}";
}
