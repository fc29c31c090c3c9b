using Lamina.Gateway.Async;
using Lamina.Testing;
using StackExchange.Redis;

namespace Lamina.Gateway.Tests.Async;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class AsyncEventFieldsTests
{
    private static readonly DateTimeOffset EnqueuedAt = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    [Fact]
    public void Parse_FlattenedEvent_SameEvent()
    {
        var e = AsyncEvent.New("r-1", new byte[] { 0x7b, 0x00, 0xff, 0x7d }, EnqueuedAt, "eyJhIjoxfQ==", "Root=1-abc")
            .After(new AttemptOutcome(AttemptOutcomeKind.FunctionError, 200, "Handled", new byte[] { 1, 2, 3 }))
            .After(new AttemptOutcome(AttemptOutcomeKind.Throttled, 429, null, ReadOnlyMemory<byte>.Empty));

        var parsed = AsyncEventFields.Parse(Entries(AsyncEventFields.Flatten(e)));

        Assert.NotNull(parsed);
        Assert.Equal("r-1", parsed.RequestId);
        Assert.Equal(new byte[] { 0x7b, 0x00, 0xff, 0x7d }, parsed.Payload.ToArray());
        Assert.Equal(EnqueuedAt, parsed.EnqueuedAt);
        Assert.Equal(2, parsed.Attempt);
        Assert.Equal(1, parsed.FunctionErrors);
        Assert.Equal("eyJhIjoxfQ==", parsed.ClientContext);
        Assert.Equal("Root=1-abc", parsed.TraceId);
        Assert.Equal(AttemptOutcomeKind.Throttled, parsed.LastOutcome?.Kind);
        Assert.Equal(429, parsed.LastOutcome?.StatusCode);
        Assert.Null(parsed.LastOutcome?.FunctionError);
    }

    [Fact]
    public void Flatten_FreshEventWithoutOptionalFields_OnlyTheRequiredOnes()
    {
        var values = AsyncEventFields.Flatten(AsyncEvent.New("r-1", "{}"u8.ToArray(), EnqueuedAt, null, null));

        Assert.Equal(
            ["requestId", "payload", "enqueuedAt", "attempt", "functionErrors"],
            values.Where((_, i) => i % 2 == 0).Select(v => v.ToString()));
        Assert.Equal("1767323045678", values[5].ToString());
    }

    [Theory]
    [InlineData("requestId")]
    [InlineData("payload")]
    [InlineData("enqueuedAt")]
    public void Parse_RequiredFieldMissing_Null(string missing)
    {
        var values = AsyncEventFields.Flatten(AsyncEvent.New("r-1", "{}"u8.ToArray(), EnqueuedAt, null, null));
        var entries = Entries(values).Where(f => f.Name != missing).ToArray();

        Assert.Null(AsyncEventFields.Parse(entries));
    }

    [Fact]
    public void Parse_MoreFunctionErrorsThanAttempts_Null()
    {
        NameValueEntry[] entries = [new("requestId", "r"), new("payload", "{}"), new("enqueuedAt", "1"), new("attempt", "1"), new("functionErrors", "2")];

        Assert.Null(AsyncEventFields.Parse(entries));
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
