using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using Lamina.Testing;
using StackExchange.Redis;

namespace Lamina.Gateway.Tests.Async;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class EventSignerTests
{
    private const string Key = "unit-tests-event-signing-key-0123456789";
    private static readonly FunctionKey Orders = new("team-a", "orders");
    private static readonly AsyncEvent Event = AsyncEvent.New("r-1", """{"order":17}"""u8.ToArray(), DateTimeOffset.FromUnixTimeMilliseconds(1_767_323_045_678), "e30=", "Root=1-abc") with
    {
        Attempt = 1,
        FunctionErrors = 1,
        LastOutcome = new AttemptOutcome(AttemptOutcomeKind.FunctionError, 200, "Unhandled", "{}"u8.ToArray()),
    };

    private readonly EventSigner _signer = new(Key);

    [Fact]
    public void Verify_SignedByAGateway_Valid()
    {
        Assert.Equal(EventVerdict.Valid, _signer.Verify(Orders, Entries(_signer.Signed(Orders, Event))));
    }

    [Theory]
    [InlineData(AsyncEventFields.Payload, """{"order":18}""")]
    [InlineData(AsyncEventFields.RequestId, "r-2")]
    [InlineData(AsyncEventFields.EnqueuedAt, "1767323045679")]
    [InlineData(AsyncEventFields.Attempt, "0")]
    [InlineData(AsyncEventFields.TraceId, "Root=1-other")]
    public void Verify_AFieldChanged_Forged(string field, string value)
    {
        var entries = Entries(_signer.Signed(Orders, Event));
        var at = Array.FindIndex(entries, e => e.Name == field);

        entries[at] = new NameValueEntry(field, value);

        Assert.Equal(EventVerdict.Forged, _signer.Verify(Orders, entries));
    }

    [Fact]
    public void Verify_MovedToAnotherFunction_Forged()
    {
        var entries = Entries(_signer.Signed(Orders, Event));

        Assert.Equal(EventVerdict.Forged, _signer.Verify(new FunctionKey("team-b", "orders"), entries));
        Assert.Equal(EventVerdict.Forged, _signer.Verify(new FunctionKey("team-a", "billing"), entries));
    }

    [Fact]
    public void Verify_AFieldAdded_Forged()
    {
        // A second payload: Parse would read the last one, so the signature covers both.
        NameValueEntry[] entries = [.. Entries(_signer.Signed(Orders, Event)), new(AsyncEventFields.Payload, "{}")];

        Assert.Equal(EventVerdict.Forged, _signer.Verify(Orders, entries));
    }

    [Fact]
    public void Verify_OtherKeyOrGarbageOrNoSignature_RefusedForWhatItIs()
    {
        Assert.Equal(EventVerdict.Forged, _signer.Verify(Orders, Entries(new EventSigner("another-event-signing-key-0123456789").Signed(Orders, Event))));
        NameValueEntry[] garbage = [.. Entries(AsyncEventFields.Flatten(Event)), new(AsyncEventFields.Signature, "not base64!")];
        Assert.Equal(EventVerdict.Forged, _signer.Verify(Orders, garbage));
        Assert.Equal(EventVerdict.Unsigned, _signer.Verify(Orders, Entries(AsyncEventFields.Flatten(Event))));
    }

    [Fact]
    public void Signed_AsyncOff_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new EventSigner("").Signed(Orders, Event));
    }

    private static NameValueEntry[] Entries(List<RedisValue> flat)
    {
        var entries = new NameValueEntry[flat.Count / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new NameValueEntry(flat[2 * i], flat[(2 * i) + 1]);
        }

        return entries;
    }
}
