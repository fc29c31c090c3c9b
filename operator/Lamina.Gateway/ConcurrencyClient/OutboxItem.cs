using Lamina.Concurrency.V1;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>One thing to tell the controller; the fields its <see cref="Kind"/> does not use are empty.</summary>
internal readonly record struct OutboxItem(OutboxItemKind Kind, ulong Ticket, FunctionKey Function, string? LeaseId, Reclaimed? Reclaimed)
{
    public static OutboxItem ForAcquire(ulong ticket, FunctionKey function) => new(OutboxItemKind.Acquire, ticket, function, null, null);

    public static OutboxItem ForCancel(ulong ticket) => new(OutboxItemKind.Cancel, ticket, default, null, null);

    public static OutboxItem ForRelease(string leaseId) => new(OutboxItemKind.Release, 0, default, leaseId, null);

    public static OutboxItem ForReclaimed(Reclaimed reclaimed) => new(OutboxItemKind.Reclaimed, 0, default, null, reclaimed);

    public static OutboxItem DemandDue => new(OutboxItemKind.Demand, 0, default, null, null);
}
