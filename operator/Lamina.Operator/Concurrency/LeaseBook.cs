using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// Every lease the leader knows, by id, and the ids it hands out: <c>&lt;epoch&gt;-&lt;n&gt;</c>, where the
/// epoch is random per leadership so a new leader's ids never collide with ids an earlier leader
/// granted and gateways still hold. Not thread-safe: used only under <see cref="ConcurrencyState"/>'s lock.
/// </summary>
internal sealed class LeaseBook
{
    private readonly Dictionary<string, LeaseEntry> _leases = new(StringComparer.Ordinal);
    private string _epoch = NewEpoch();
    private long _next;

    public LeaseEntry this[string id] => _leases[id];

    /// <summary>A new leadership: forget every lease and hand out ids in a new epoch.</summary>
    public void Restart()
    {
        _epoch = NewEpoch();
        _leases.Clear();
    }

    /// <summary>A lease id not used before in this epoch.</summary>
    public string NewId() => string.Create(CultureInfo.InvariantCulture, $"{_epoch}-{++_next}");

    public void Add(LeaseEntry lease) => _leases[lease.Id] = lease;

    public bool TryGet(string id, [MaybeNullWhen(false)] out LeaseEntry lease) => _leases.TryGetValue(id, out lease);

    public bool Remove(string id, [MaybeNullWhen(false)] out LeaseEntry lease) => _leases.Remove(id, out lease);

    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
}
