namespace Lamina.Gateway.Routing;

/// <summary>
/// What asking a pool for an environment gave: an environment now lent to the caller, a place in
/// the queue, a full queue, or nothing because the pool was retired (ask the router's current pool).
/// </summary>
internal readonly record struct Acquisition(EnvironmentSlot? Slot, QueueWaiter? Waiter, bool QueueFull)
{
    public static Acquisition Full => new(null, null, true);

    public static Acquisition Retired => new(null, null, false);

    public bool IsRetired => Slot is null && Waiter is null && !QueueFull;
}
