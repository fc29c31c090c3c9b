using System.Threading.Channels;
using Lamina.Concurrency.V1;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Controller;

/// <summary>
/// What the gateway has to tell the controller, queued until the connection's writer sends it: it
/// takes whatever is queued into one GatewayMessage (the contract's batches). Never blocks, so the
/// router may call it under a pool's lock.
/// <para>
/// Between streams only releases are kept: a new stream starts with a Hello that carries every
/// lease held and every ticket still waiting, which is all that acquires, cancels, reclaim answers
/// and demand would have said. So the queue stays small however long the controller is away.
/// </para>
/// </summary>
internal sealed class ControllerOutbox : IControllerOutbox
{
    private readonly Channel<OutboxItem> _items = Channel.CreateUnbounded<OutboxItem>(new UnboundedChannelOptions { SingleReader = true });
    private long _lastTicket;
    private int _open;

    /// <summary>The queue, for the connection's writer (one reader at a time).</summary>
    public ChannelReader<OutboxItem> Reader => _items.Reader;

    private bool IsOpen => Volatile.Read(ref _open) != 0;

    public ulong Acquire(FunctionKey function)
    {
        var ticket = (ulong)Interlocked.Increment(ref _lastTicket);
        if (IsOpen)
        {
            _items.Writer.TryWrite(OutboxItem.ForAcquire(ticket, function));
        }

        return ticket;
    }

    public void Cancel(ulong ticket)
    {
        if (IsOpen)
        {
            _items.Writer.TryWrite(OutboxItem.ForCancel(ticket));
        }
    }

    public void Release(string leaseId)
    {
        ArgumentNullException.ThrowIfNull(leaseId);
        _items.Writer.TryWrite(OutboxItem.ForRelease(leaseId));
    }

    /// <summary>Queues the answer to a reclaim (its releases are queued already, so they go in the same message or before).</summary>
    public void Reclaimed(Reclaimed reclaimed)
    {
        ArgumentNullException.ThrowIfNull(reclaimed);
        if (IsOpen)
        {
            _items.Writer.TryWrite(OutboxItem.ForReclaimed(reclaimed));
        }
    }

    /// <summary>Asks the writer to send every function's demand with its next message.</summary>
    public void DemandDue()
    {
        if (IsOpen)
        {
            _items.Writer.TryWrite(OutboxItem.DemandDue);
        }
    }

    /// <summary>
    /// A stream starts: from now everything is queued. Whatever was queued before, except releases,
    /// is dropped; call it before reading the Hello's leases and tickets, so that each ticket is in
    /// the Hello, or queued after it, or both (the writer skips an acquire the Hello carried).
    /// </summary>
    public void Open()
    {
        Volatile.Write(ref _open, 1);
        var kept = new List<OutboxItem>();
        while (_items.Reader.TryRead(out var item))
        {
            if (item.Kind == OutboxItemKind.Release)
            {
                kept.Add(item);
            }
        }

        foreach (var item in kept)
        {
            _items.Writer.TryWrite(item);
        }
    }

    /// <summary>The stream ended: until the next opens, only releases are queued.</summary>
    public void Close() => Volatile.Write(ref _open, 0);
}
