using System.Runtime.InteropServices;
using Lamina.Gateway.Invoke;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Invoke;

/// <summary>A pooled body: charged to the budget as it grows, given back on dispose, and kept out of the pool while a call may still read it.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RequestBodyTests
{
    private readonly BodyBudget _budget = new(1024 * 1024, meterFactory: null);

    [Fact]
    public void TryGrow_KeepsWhatWasReadAndChargesThePowerOfTwoItHolds()
    {
        using var body = new RequestBody(_budget);
        Assert.True(body.TryGrow(100));
        "abc"u8.CopyTo(body.Free.Span);
        body.Advance(3);

        Assert.True(body.TryGrow(5000));

        Assert.Equal("abc"u8.ToArray(), body.Span.ToArray());
        Assert.Equal(8192, body.Charged);
        Assert.Equal(8192, _budget.Held);
    }

    [Fact]
    public void TryGrow_PastTheBudget_FalseAndNothingChanges()
    {
        using var body = new RequestBody(_budget);
        Assert.True(body.TryGrow(1000));

        Assert.False(body.TryGrow(2 * 1024 * 1024));

        Assert.Equal(1024, _budget.Held);
    }

    [Fact]
    public void Dispose_GivesTheBudgetBackAndTheBufferToThePool()
    {
        var body = new RequestBody(_budget);
        Assert.True(body.TryGrow(4096));
        var array = BufferOf(body);

        body.Dispose();

        Assert.Equal(0, _budget.Held);
        Assert.Same(array, System.Buffers.ArrayPool<byte>.Shared.Rent(4096)); // this thread's pool hands it out again
    }

    [Fact]
    public void Dispose_LentAndNotReturned_BudgetBackButTheBufferNeverReusedFromThePool()
    {
        var body = new RequestBody(_budget);
        Assert.True(body.TryGrow(4096));
        var array = BufferOf(body);
        body.Lend();

        body.Dispose();

        Assert.Equal(0, _budget.Held);
        Assert.NotSame(array, System.Buffers.ArrayPool<byte>.Shared.Rent(4096));
    }

    private static byte[] BufferOf(RequestBody body) =>
        MemoryMarshal.TryGetArray(body.Free, out ArraySegment<byte> segment) ? segment.Array! : throw new InvalidOperationException("not an array");
}
