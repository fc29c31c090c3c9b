using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Lamina.Gateway.Code;

/// <summary>
/// Successful TokenReviews, kept for <see cref="CodeEndpointOptions.ReviewCacheTtl"/> so that a pod
/// fetching its zip and five layers, or a scale-out burst of a hundred pods, costs one review per
/// token rather than one per blob. Keyed by the token's SHA-256, so the tokens themselves are never
/// held. An entry never outlives the token's own <c>exp</c> (projected tokens live 10 min at least,
/// the kubelet's default is 1 h; the TTL is seconds). Refusals are not kept: a token that failed is
/// reviewed again, so a transient API error does not stick. Bounded: past
/// <see cref="CodeEndpointOptions.ReviewCacheSize"/> entries the expired ones are dropped, and if
/// none are, the new review is simply not kept (more reviews, never a wrong answer). What the
/// cache holds is the review only: the pod is read on every request, so a deleted pod's token
/// stops working at once (docs/code-endpoint.md).
/// </summary>
internal sealed class TokenReviewCache(TimeProvider time, TimeSpan ttl, int maxEntries)
{
    private readonly ConcurrentDictionary<string, (ReviewedToken Token, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The cached review of <paramref name="token"/>, or null when there is none or it has expired.</summary>
    public ReviewedToken? Find(string token)
    {
        var key = KeyOf(token);
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.Expires > time.GetUtcNow())
        {
            return entry.Token;
        }

        _entries.TryRemove(new KeyValuePair<string, (ReviewedToken, DateTimeOffset)>(key, entry));
        return null;
    }

    /// <summary>Keeps a successful review of <paramref name="token"/>, until the TTL or the token's exp, whichever is first.</summary>
    public void Add(string token, ReviewedToken reviewed)
    {
        var now = time.GetUtcNow();
        var expires = now + ttl;
        if (ExpiryOf(token) is { } exp && exp < expires)
        {
            expires = exp;
        }

        if (expires <= now)
        {
            return;
        }

        if (_entries.Count >= maxEntries)
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.Expires <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            if (_entries.Count >= maxEntries)
            {
                return;
            }
        }

        _entries[KeyOf(token)] = (reviewed, expires);
    }

    private static string KeyOf(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>
    /// The JWT's <c>exp</c> claim, read without checking the signature: it is only ever read after the
    /// API server accepted this very token, and only to shorten an entry. Null when it cannot be read.
    /// </summary>
    internal static DateTimeOffset? ExpiryOf(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(parts[1]);
            using var claims = JsonDocument.Parse(payload);
            return claims.RootElement.ValueKind == JsonValueKind.Object
                && claims.RootElement.TryGetProperty("exp", out var exp)
                && exp.ValueKind == JsonValueKind.Number
                && exp.TryGetInt64(out var seconds)
                && seconds is > 0 and < 253402300800
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception error) when (error is FormatException or JsonException)
        {
            return null;
        }
    }
}
