using Lamina.Gateway.Routing;
using StackExchange.Redis;

namespace Lamina.Gateway.Async;

/// <summary>
/// One entry of a function's dead-letter stream: why it is there, its record, the original event (null
/// when it was not one), and whether the event's signature verifies (only then can it be redriven; null when it was not
/// checked: the command was run without the event signing key, which reading does not need).
/// </summary>
internal sealed record DeadLetterEntry(string Id, string Condition, DateTimeOffset? DeadLetteredAt, ReadOnlyMemory<byte> Record, AsyncEvent? Event, bool? Signed)
{
    public static DeadLetterEntry From(FunctionKey function, StreamEntry entry, EventSigner? signer)
    {
        string condition = "";
        DateTimeOffset? deadLetteredAt = null;
        byte[] record = [];
        foreach (var field in entry.Values)
        {
            switch ((string?)field.Name)
            {
                case DeadLetterFields.Condition:
                    condition = field.Value.ToString();
                    break;
                case DeadLetterFields.DeadLetteredAt when field.Value.TryParse(out long milliseconds):
                    deadLetteredAt = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
                    break;
                case DeadLetterFields.Record:
                    record = (byte[]?)field.Value ?? [];
                    break;
                default:
                    break;
            }
        }

        return new DeadLetterEntry(entry.Id.ToString(), condition, deadLetteredAt, record, AsyncEventFields.Parse(entry.Values), signer is null ? null : signer.Verify(function, entry.Values) == EventVerdict.Valid);
    }
}
