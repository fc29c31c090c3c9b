using Lamina.Gateway.Async;

namespace Lamina.Gateway.Worker;

/// <summary>What to do with an event after an attempt (or before one): try again later, or stop.</summary>
internal abstract record AsyncDecision
{
    private AsyncDecision()
    {
    }

    /// <summary>Store <paramref name="Event"/> aside and put it back into the stream at <paramref name="DueAt"/>.</summary>
    public sealed record Retry(AsyncEvent Event, DateTimeOffset DueAt, TimeSpan Delay) : AsyncDecision;

    /// <summary>The event reached a final state: its record goes to a destination or the dead-letter stream.</summary>
    public sealed record Final(AsyncEvent Event, AsyncCondition Condition) : AsyncDecision;
}
