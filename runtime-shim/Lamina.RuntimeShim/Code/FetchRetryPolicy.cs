namespace Lamina.RuntimeShim.Code;

/// <summary>How long a fetch waits for the code endpoint, and how it tries again.</summary>
internal sealed record FetchRetryPolicy
{
    /// <summary>
    /// Only a store that is briefly away (503, a refused or broken connection) is tried again, with
    /// backoff from 0.2 s doubling to 5 s, for at most 30 s in all: long enough for a gateway pod to be
    /// replaced, short enough that a pod whose store is down fails its init with the reason (and the
    /// kubelet's own backoff takes over) rather than hanging. A 404, 401/403 or a digest mismatch is
    /// never tried again: the answer would not change.
    /// </summary>
    public static FetchRetryPolicy Default { get; } = new();

    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaximumDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>No new attempt starts after this much time since the first.</summary>
    public TimeSpan Total { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connecting and receiving the response's headers, per attempt: a gateway answers in milliseconds.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The body may pause this long between two reads: a stalled transfer is a broken connection
    /// (tried again), while a large blob on a slow link still arrives, however long it takes in all.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
