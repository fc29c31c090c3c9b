using System.Diagnostics;

namespace Lamina.RuntimeShim.Code;

/// <summary>
/// Where a fetch spent its time, for the one line it prints: moving bytes (the store's answer or the
/// code file), hashing them (done while they stream, counted apart), and unpacking.
/// </summary>
internal sealed class FetchTimings
{
    private long _hashTicks;

    /// <summary>From the first request to the last byte of the last blob, hashing included.</summary>
    public TimeSpan Transfer { get; set; }

    /// <summary>Unpacking every archive, links and modes included.</summary>
    public TimeSpan Unpack { get; set; }

    /// <summary>Time spent hashing (part of <see cref="Transfer"/>).</summary>
    public TimeSpan Verify => Stopwatch.GetElapsedTime(0, _hashTicks);

    /// <summary><see cref="Transfer"/> without the hashing.</summary>
    public TimeSpan Fetch => Transfer - Verify;

    /// <summary>Adds the hashing time from <paramref name="startTimestamp"/> to now.</summary>
    public void AddHashing(long startTimestamp) => _hashTicks += Stopwatch.GetTimestamp() - startTimestamp;
}
