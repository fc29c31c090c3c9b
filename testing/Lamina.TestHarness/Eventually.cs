namespace Lamina.Testing;

/// <summary>Waits for a condition with a deadline: the only kind of waiting tests do.</summary>
public static class Eventually
{
    /// <summary>How often a condition is re-checked.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> at the deadline.</summary>
    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        HoldsAsync(condition, timeout, what, static () => Task.CompletedTask);

    /// <summary>Polls an asynchronous <paramref name="condition"/> (one that reads the API server, say) until it holds.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var holds = false;
        await HoldsAsync(() => holds, timeout, what, async () => holds = await condition().ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="refresh"/> before each check (e.g. to re-read an object), until <paramref name="condition"/> holds.</summary>
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what, Func<Task> refresh)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(refresh);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await refresh().ConfigureAwait(false);
            if (condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"within {timeout.TotalSeconds} s: {what}");
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }
}
