using System.Threading.Channels;
using Lamina.Concurrency.V1;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.ConcurrencyClient;

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
internal sealed class ConcurrencyOutbox : IConcurrencyOutbox
{
    private readonly Channel<OutboxItem> _items = Channel.CreateUnbounded<OutboxItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _flushGate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushes = [];
    private long _lastTicket;
    private int _open;

    // Items queued, and items the writer has taken and sent (or that Open dropped): a flush waits for the second to reach the first.
    private long _queued;
    private long _delivered;

    /// <summary>The queue, for the connection's writer (one reader at a time).</summary>
    public ChannelReader<OutboxItem> Reader => _items.Reader;

    private bool IsOpen => Volatile.Read(ref _open) != 0;

    public ulong Acquire(FunctionKey function)
    {
        var ticket = (ulong)Interlocked.Increment(ref _lastTicket);
        if (IsOpen)
        {
            Queue(OutboxItem.ForAcquire(ticket, function));
        }

        return ticket;
    }

    public void Cancel(ulong ticket)
    {
        if (IsOpen)
        {
            Queue(OutboxItem.ForCancel(ticket));
        }
    }

    public void Release(string leaseId)
    {
        ArgumentNullException.ThrowIfNull(leaseId);
        Queue(OutboxItem.ForRelease(leaseId));
    }

    /// <summary>Queues the answer to a reclaim (its releases are queued already, so they go in the same message or before).</summary>
    public void Reclaimed(Reclaimed reclaimed)
    {
        ArgumentNullException.ThrowIfNull(reclaimed);
        if (IsOpen)
        {
            Queue(OutboxItem.ForReclaimed(reclaimed));
        }
    }

    /// <summary>Asks the writer to send every function's demand with its next message.</summary>
    public void DemandDue()
    {
        if (IsOpen)
        {
            Queue(OutboxItem.DemandDue);
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
        var dropped = 0;
        while (_items.Reader.TryRead(out var item))
        {
            if (item.Kind == OutboxItemKind.Release)
            {
                kept.Add(item);
            }
            else
            {
                dropped++;
            }
        }

        foreach (var item in kept)
        {
            // Counted when first queued.
            _items.Writer.TryWrite(item);
        }

        Delivered(dropped);
    }

    /// <summary>The writer has sent <paramref name="count"/> items it took from <see cref="Reader"/>.</summary>
    public void Delivered(int count)
    {
        List<TaskCompletionSource>? done = null;
        lock (_flushGate)
        {
            _delivered += count;
            for (var i = _flushes.Count - 1; i >= 0; i--)
            {
                if (_flushes[i].Target <= _delivered)
                {
                    (done ??= []).Add(_flushes[i].Done);
                    _flushes.RemoveAt(i);
                }
            }
        }

        if (done is not null)
        {
            foreach (var flush in done)
            {
                flush.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Completes once everything queued before the call has been sent to the controller (a stopping
    /// gateway's releases); throws when <paramref name="cancellationToken"/> ends the wait first
    /// (the controller is away: the releases stay queued, the controller's lease TTL frees them).
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_flushGate)
        {
            var target = Interlocked.Read(ref _queued);
            if (target <= _delivered)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushes.Add((target, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    private void Queue(OutboxItem item)
    {
        if (_items.Writer.TryWrite(item))
        {
            Interlocked.Increment(ref _queued);
        }
    }

    /// <summary>The stream ended: until the next opens, only releases are queued.</summary>
    public void Close() => Volatile.Write(ref _open, 0);
}
