using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Lamina.Gateway.Routing;
using StackExchange.Redis;

namespace Lamina.Gateway.Async;

/// <summary>
/// Signs the events a gateway stores and verifies them before a worker invokes one: HMAC-SHA256, keyed
/// by <see cref="AsyncOptions.EventSigningKey"/> (shared by every replica), over the function the
/// event belongs to and every event field in the order they are stored (<see cref="AsyncEventFields"/>).
/// Anyone who can write to Redis but lacks the key cannot make an event a worker runs, move one to
/// another function, or change its payload, request id, age or attempt count. Every writer of an
/// event signs it again (the retry's new attempt count, a redrive's fresh age).
/// Not covered: a valid event copied within its own stream runs again (a duplicate, which
/// at-least-once delivery allows anyway).
/// </summary>
internal sealed class EventSigner
{
    /// <summary>Binds the MAC to this use and layout: a change of either changes every signature.</summary>
    private static readonly byte[] Context = "lamina-async-event/v1"u8.ToArray();

    private readonly byte[]? _key;

    /// <summary>A signer with <paramref name="key"/>; empty (async invocation off) signs and verifies nothing, it throws.</summary>
    public EventSigner(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key.Length > 0 ? Encoding.UTF8.GetBytes(key) : null;
    }

    /// <summary>The event's fields (<see cref="AsyncEventFields.Flatten"/>) followed by its signature: what the scripts store.</summary>
    public List<RedisValue> Signed(FunctionKey function, AsyncEvent e)
    {
        var fields = AsyncEventFields.Flatten(e);
        var mac = Mac(function, fields);
        fields.Add(AsyncEventFields.Signature);
        fields.Add(Convert.ToBase64String(mac));
        return fields;
    }

    /// <summary>What a stored entry's signature says about it.</summary>
    public EventVerdict Verify(FunctionKey function, NameValueEntry[] entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var fields = new List<RedisValue>(entry.Length * 2);
        RedisValue signature = RedisValue.Null;
        foreach (var field in entry)
        {
            var name = (string?)field.Name;
            if (name == AsyncEventFields.Signature)
            {
                signature = field.Value;
            }
            else if (name is not null && AsyncEventFields.IsEventField(name))
            {
                // Only the fields Parse reads: anything else in the entry cannot change what runs.
                fields.Add(field.Name);
                fields.Add(field.Value);
            }
        }

        if (signature.IsNull)
        {
            return EventVerdict.Unsigned;
        }

        Span<byte> claimed = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String((string?)signature ?? "", claimed, out var written) || written != claimed.Length)
        {
            return EventVerdict.Forged;
        }

        return CryptographicOperations.FixedTimeEquals(claimed, Mac(function, fields)) ? EventVerdict.Valid : EventVerdict.Forged;
    }

    private byte[] Mac(FunctionKey function, List<RedisValue> fields)
    {
        var key = _key ?? throw new InvalidOperationException($"no {AsyncOptions.Section}:EventSigningKey: events cannot be signed or verified");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        Append(hmac, Context);
        Append(hmac, Encoding.UTF8.GetBytes(AsyncKeys.Member(function)));
        foreach (var value in fields)
        {
            Append(hmac, (byte[]?)value ?? []);
        }

        return hmac.GetHashAndReset();
    }

    /// <summary>Length-prefixed, so no two different field lists feed the MAC the same bytes.</summary>
    private static void Append(IncrementalHash hmac, ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hmac.AppendData(length);
        hmac.AppendData(bytes);
    }

}
