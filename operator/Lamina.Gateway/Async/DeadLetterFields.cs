namespace Lamina.Gateway.Async;

/// <summary>The fields a dead-letter entry adds to the event's own (<see cref="AsyncEventFields"/>), which it keeps so it can be redriven.</summary>
internal static class DeadLetterFields
{
    /// <summary><c>RetriesExhausted</c>, <c>EventAgeExceeded</c>, <c>Success</c> (a success record that could not be delivered) or <c>Malformed</c>.</summary>
    public const string Condition = "condition";

    /// <summary>When it was dead-lettered, in ms since the epoch.</summary>
    public const string DeadLetteredAt = "deadLetteredAt";

    /// <summary>The invocation record (<see cref="DestinationRecord"/>) as UTF-8 JSON; empty for a malformed entry.</summary>
    public const string Record = "record";
}
