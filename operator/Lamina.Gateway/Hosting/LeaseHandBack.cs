using Lamina.Gateway.ConcurrencyClient;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Hosting;

/// <summary>
/// The two steps every stopping replica of either role ends with (<see cref="GatewayDrain"/>,
/// <c>WorkerDrain</c>): a deadline for its running invocations that leaves
/// <see cref="GatewayShutdownOptions.ReleaseAllowance"/> of the shutdown timeout, then every lease
/// given back to the concurrency controller at once rather than after its lease TTL.
/// </summary>
internal static class LeaseHandBack
{
    /// <summary>
    /// Cancelled when the running invocations must be given up: the shutdown timeout, counted from
    /// <paramref name="started"/>, less the allowance for the release; or when the host gives up.
    /// </summary>
    public static CancellationTokenSource FinishingDeadline(GatewayShutdownOptions options, TimeProvider time, long started, CancellationToken host)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var finishing = CancellationTokenSource.CreateLinkedTokenSource(host);
        var left = options.Timeout - GatewayShutdownOptions.ReleaseAllowance - time.GetElapsedTime(started);
        finishing.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        return finishing;
    }

    /// <summary>
    /// Gives every lease back (those in use as their invocations end) and waits, at most the
    /// allowance, for the release to be sent; false when it was not (no controller stream: the
    /// controller frees them after its lease TTL).
    /// </summary>
    public static async Task<bool> GiveBackAsync(ILeaseHolder leases, ConcurrencyOutbox outbox, CancellationToken host)
    {
        ArgumentNullException.ThrowIfNull(leases);
        ArgumentNullException.ThrowIfNull(outbox);
        leases.Leave();
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(host);
        sending.CancelAfter(GatewayShutdownOptions.ReleaseAllowance);
        try
        {
            await outbox.FlushAsync(sending.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
