namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>What an <see cref="OutboxItem"/> adds to the next GatewayMessage.</summary>
internal enum OutboxItemKind
{
    /// <summary>An entry of <c>acquires</c>.</summary>
    Acquire,

    /// <summary>An entry of <c>cancels</c>.</summary>
    Cancel,

    /// <summary>An entry of <c>releases</c>.</summary>
    Release,

    /// <summary>An entry of <c>reclaimed</c>.</summary>
    Reclaimed,

    /// <summary>Demand is due: the message carries every function's demand, read when it is sent.</summary>
    Demand,
}
