namespace Lamina.Gateway.Auth;

/// <summary>
/// A valid Secret (<c>namespace/name</c>) holding <see cref="Key"/>, as the key store ranks rival
/// holders of one key id: <see cref="Privileged"/> when the Secret is in the gateway's own access
/// key namespace, <see cref="Created"/> its creationTimestamp.
/// </summary>
internal sealed record AccessKeyHolder(string Secret, AccessKey Key, bool Privileged, DateTimeOffset Created)
{
    /// <summary>The gateway's own namespace first, then the oldest, then by name, so that every replica agrees.</summary>
    public bool IsPreferredTo(AccessKeyHolder other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Privileged != other.Privileged ? Privileged
            : Created != other.Created ? Created < other.Created
            : string.CompareOrdinal(Secret, other.Secret) < 0;
    }
}
