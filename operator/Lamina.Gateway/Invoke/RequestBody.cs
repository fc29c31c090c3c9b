using System.Buffers;
using System.Numerics;

namespace Lamina.Gateway.Invoke;

/// <summary>
/// A request body in a buffer from the shared pool, grown as bytes arrive (never from what the
/// client claims it will send) and charged to the <see cref="BodyBudget"/>. Dispose gives both back;
/// the handler does so once the answer is written, when nothing reads <see cref="Memory"/> any more.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    /// <summary>A body with no bytes holds no buffer.</summary>
    public static RequestBody Empty { get; } = new(null);

    private readonly BodyBudget? _budget;
    private byte[] _buffer = [];
    private int _length;
    private int _charged;
    private bool _lent;

    public RequestBody(BodyBudget? budget)
    {
        _budget = budget;
    }

    public int Length => _length;

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>What the budget is charged for this body now.</summary>
    public int Charged => _charged;

    /// <summary>Room after what was read, to read into.</summary>
    public Memory<byte> Free => _buffer.AsMemory(_length);

    public void Advance(int count) => _length += count;

    /// <summary>
    /// <see cref="Memory"/> goes to a call that may still read it after it returns (HttpClient can go
    /// on sending a body the shim has already answered, or that a timeout abandoned): unless
    /// <see cref="Returned"/> says otherwise, the buffer is left to the garbage collector, never
    /// handed to another request from the pool. The budget is given back either way.
    /// </summary>
    public void Lend() => _lent = true;

    /// <summary>The call is known to be done with <see cref="Memory"/> (the shim answered after reading all of it).</summary>
    public void Returned() => _lent = false;

    /// <summary>
    /// A buffer of at least <paramref name="capacity"/> bytes holding what was read, the difference
    /// taken from the budget first; false when the budget does not have it (nothing changes).
    /// </summary>
    public bool TryGrow(int capacity)
    {
        if (_budget is null)
        {
            throw new InvalidOperationException("the empty body does not grow");
        }

        // The shared pool hands out powers of two: charge what it will really hold.
        var size = (int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 16)), Array.MaxLength);
        if (size <= _buffer.Length)
        {
            return true;
        }

        if (!_budget.TryTake(size))
        {
            return false;
        }

        var grown = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(grown);
        Release();
        _buffer = grown;
        _charged = size;
        return true;
    }

    public void Dispose()
    {
        if (_budget is not null)
        {
            Release();
            _buffer = [];
            _length = 0;
        }
    }

    private void Release()
    {
        if (_buffer.Length > 0)
        {
            if (!_lent)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _budget!.Give(_charged);
            _charged = 0;
        }
    }
}
