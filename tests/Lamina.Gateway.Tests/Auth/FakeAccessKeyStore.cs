using Lamina.Gateway.Auth;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>An <see cref="IAccessKeyStore"/> holding the keys a test gives it, counting lookups.</summary>
internal sealed class FakeAccessKeyStore(params AccessKey[] keys) : IAccessKeyStore
{
    private readonly Dictionary<string, AccessKey> _keys = keys.ToDictionary(k => k.AccessKeyId, StringComparer.Ordinal);

    public int Lookups { get; private set; }

    public AccessKey? Find(string accessKeyId)
    {
        Lookups++;
        return _keys.GetValueOrDefault(accessKeyId);
    }
}
