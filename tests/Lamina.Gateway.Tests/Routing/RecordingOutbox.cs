using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>
/// The controller's side of routing as a test sees it: numbers tickets from 1 and records every
/// ticket asked for, cancelled and answered (by the test), and every lease given back.
/// </summary>
internal sealed class RecordingOutbox : IConcurrencyOutbox
{
    /// <summary>A ticket this outbox never issues: a grant for it is a grant nobody waits for.</summary>
    public const ulong UnknownTicket = ulong.MaxValue;

    private readonly Lock _gate = new();
    private readonly List<(ulong Ticket, FunctionKey Function)> _acquired = [];
    private readonly List<ulong> _cancelled = [];
    private readonly HashSet<ulong> _answered = [];
    private readonly List<string> _released = [];

    /// <summary>Every ticket asked for, in order.</summary>
    public IReadOnlyList<ulong> Acquired
    {
        get { lock (_gate) { return [.. _acquired.Select(a => a.Ticket)]; } }
    }

    /// <summary>Tickets asked for and neither cancelled nor answered yet, in the order they were asked for.</summary>
    public IReadOnlyList<ulong> Outstanding
    {
        get
        {
            lock (_gate)
            {
                return [.. _acquired.Select(a => a.Ticket).Where(t => !_cancelled.Contains(t) && !_answered.Contains(t))];
            }
        }
    }

    public IReadOnlyList<ulong> Cancelled
    {
        get { lock (_gate) { return [.. _cancelled]; } }
    }

    public IReadOnlyList<string> Released
    {
        get { lock (_gate) { return [.. _released]; } }
    }

    /// <summary>The function a ticket was asked for.</summary>
    public FunctionKey FunctionOf(ulong ticket)
    {
        lock (_gate)
        {
            return _acquired.Single(a => a.Ticket == ticket).Function;
        }
    }

    /// <summary>The test answers the ticket (grant or refusal): it is no longer outstanding.</summary>
    public void Answered(ulong ticket)
    {
        lock (_gate)
        {
            _answered.Add(ticket);
        }
    }

    public ulong Acquire(FunctionKey function)
    {
        lock (_gate)
        {
            var ticket = (ulong)_acquired.Count + 1;
            _acquired.Add((ticket, function));
            return ticket;
        }
    }

    public void Cancel(ulong ticket)
    {
        lock (_gate)
        {
            _cancelled.Add(ticket);
        }
    }

    public void Release(string leaseId)
    {
        lock (_gate)
        {
            _released.Add(leaseId);
        }
    }
}
