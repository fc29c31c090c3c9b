using System.Collections.Concurrent;
using Lamina.Kubernetes.Informers;
using k8s.Models;

namespace Lamina.Gateway.Auth;

/// <summary>
/// The access keys in the cluster's labelled Secrets (<see cref="AccessKeySecret"/>), kept current by
/// an informer that hands it every change (<see cref="GatewayAuthService"/> runs one). A malformed
/// Secret is skipped with one warning; when two Secrets hold the same key id, one in the gateway's
/// own namespace wins over one elsewhere, and then the older wins, with a warning. Lookups are
/// lock-free; changes are serialised.
/// </summary>
internal sealed partial class SecretAccessKeyStore : IAccessKeyStore, IInformerHandler<V1Secret>
{
    private readonly string _homeNamespace;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, AccessKey> _keys = new(StringComparer.Ordinal);

    /// <summary>Valid Secrets by object key (<c>namespace/name</c>).</summary>
    private readonly Dictionary<string, AccessKeyHolder> _bySecret = new(StringComparer.Ordinal);

    /// <summary>Valid Secrets by the key id they hold: more than one is a conflict.</summary>
    private readonly Dictionary<string, List<AccessKeyHolder>> _byKeyId = new(StringComparer.Ordinal);

    /// <summary>Malformed Secrets already warned about, with the resourceVersion warned about.</summary>
    private readonly Dictionary<string, string?> _malformed = new(StringComparer.Ordinal);

    /// <summary>A store in which Secrets in <paramref name="homeNamespace"/>, the gateway's access key namespace, may grant any namespaces.</summary>
    public SecretAccessKeyStore(string homeNamespace, ILogger<SecretAccessKeyStore> logger)
    {
        _homeNamespace = homeNamespace;
        _logger = logger;
    }

    /// <summary>How many access keys are in force.</summary>
    public int Count => _keys.Count;

    public AccessKey? Find(string accessKeyId) => _keys.TryGetValue(accessKeyId, out var key) ? key : null;

    public void OnAdd(V1Secret item) => Apply(item);

    public void OnUpdate(V1Secret oldItem, V1Secret newItem)
    {
        // A resync hands the same object back: nothing changed.
        if (!ReferenceEquals(oldItem, newItem))
        {
            Apply(newItem);
        }
    }

    public void OnDelete(V1Secret item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var secret = ObjectKey.Of(item);
        lock (_gate)
        {
            _malformed.Remove(secret);
            if (_bySecret.Remove(secret, out var gone))
            {
                _byKeyId[gone.Key.AccessKeyId].Remove(gone);
                Elect(gone.Key.AccessKeyId);
                LogKeyRemoved(secret, gone.Key.AccessKeyId);
            }
        }
    }

    private void Apply(V1Secret item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var secret = ObjectKey.Of(item);
        var ns = item.Metadata.NamespaceProperty ?? "";
        var privileged = ns == _homeNamespace;
        var parsed = AccessKeySecret.Parse(item, privileged ? null : ns);
        lock (_gate)
        {
            _bySecret.TryGetValue(secret, out var previous);
            if (previous is not null)
            {
                _bySecret.Remove(secret);
                _byKeyId[previous.Key.AccessKeyId].Remove(previous);
            }

            if (parsed.Key is not { } key)
            {
                if (previous is not null)
                {
                    Elect(previous.Key.AccessKeyId);
                }

                // One warning per version of the Secret, not one per resync or relist.
                var version = item.Metadata.ResourceVersion;
                if (!_malformed.TryGetValue(secret, out var warned) || warned != version)
                {
                    _malformed[secret] = version;
                    LogMalformed(secret, parsed.Problem!);
                }

                return;
            }

            _malformed.Remove(secret);
            var candidate = new AccessKeyHolder(secret, key, privileged, item.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue);
            _bySecret[secret] = candidate;
            if (!_byKeyId.TryGetValue(key.AccessKeyId, out var holders))
            {
                _byKeyId[key.AccessKeyId] = holders = [];
            }

            holders.Add(candidate);
            if (previous is not null && previous.Key.AccessKeyId != key.AccessKeyId)
            {
                Elect(previous.Key.AccessKeyId);
            }

            Elect(key.AccessKeyId);
            if (previous is null)
            {
                LogKeyAdded(secret, key.AccessKeyId);
            }
        }
    }

    /// <summary>Puts the rightful holder of <paramref name="accessKeyId"/> in force (or removes the key).</summary>
    private void Elect(string accessKeyId)
    {
        var holders = _byKeyId[accessKeyId];
        if (holders.Count == 0)
        {
            _byKeyId.Remove(accessKeyId);
            _keys.TryRemove(accessKeyId, out _);
            return;
        }

        var winner = holders[0];
        for (var i = 1; i < holders.Count; i++)
        {
            if (holders[i].IsPreferredTo(winner))
            {
                winner = holders[i];
            }
        }

        _keys[accessKeyId] = winner.Key;
        if (holders.Count > 1)
        {
            var ignored = string.Join(", ", holders.Where(h => h != winner).Select(h => h.Secret).Order(StringComparer.Ordinal));
            LogConflict(accessKeyId, winner.Secret, ignored);
        }
    }
}
