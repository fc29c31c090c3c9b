namespace Lamina.Kubernetes.Queue;

/// <summary>The per-key backoff of <see cref="WorkQueue{TKey}.AddRateLimited"/>.</summary>
public sealed record WorkQueueOptions
{
    /// <summary>
    /// client-go's default (<c>DefaultControllerRateLimiter</c>): a key that failed once is retried
    /// almost at once, since most failures are a conflict that the next read resolves.
    /// </summary>
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// client-go's default: a key that keeps failing ends up retried about every 16 minutes,
    /// often enough to heal on its own, rarely enough not to load the API server.
    /// </summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(1000);

    /// <summary>The delay after the first failure; it doubles with each further one.</summary>
    public TimeSpan BaseDelay { get; init; } = DefaultBaseDelay;

    /// <summary>The longest delay.</summary>
    public TimeSpan MaxDelay { get; init; } = DefaultMaxDelay;
}
