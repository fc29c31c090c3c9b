using Lamina.Concurrency.V1;
using Lamina.Operator.Concurrency;

namespace Lamina.Operator.Tests.Concurrency;

/// <summary>
/// One gateway's stream as <see cref="ConcurrencyState"/> sees it: what the gRPC service's reader
/// would hand to <see cref="ConcurrencyState.Receive"/>, and its writer's <see cref="ConcurrencyState.TakeOutbox"/>.
/// Tickets are numbered from the one given, as a gateway process numbers its own.
/// </summary>
internal sealed class FakeGateway(ConcurrencyState state, GatewaySession session, ulong firstTicket = 1)
{
    private ulong _nextTicket = firstTicket;

    public GatewaySession Session { get; } = session;

    /// <summary>The number the next ticket gets (a reconnecting gateway goes on numbering).</summary>
    public ulong NextTicket => _nextTicket;

    public void Send(GatewayMessage message) => state.Receive(Session, message);

    /// <summary>One invocation waits: one ticket. Returns its number.</summary>
    public ulong Acquire(FunctionId function) => Acquire(function, 1)[0];

    /// <summary><paramref name="count"/> invocations wait: as many tickets, in one message.</summary>
    public ulong[] Acquire(FunctionId function, int count)
    {
        var tickets = new ulong[count];
        var message = new GatewayMessage();
        for (var i = 0; i < count; i++)
        {
            tickets[i] = _nextTicket++;
            message.Acquires.Add(ConcurrencyHarness.Ticket(function, tickets[i]));
        }

        Send(message);
        return tickets;
    }

    public void Release(params string[] leaseIds)
    {
        var message = new GatewayMessage();
        message.Releases.AddRange(leaseIds);
        Send(message);
    }

    public void Cancel(ulong ticket) => Send(new GatewayMessage { Cancels = { ticket } });

    /// <summary>Answers a reclaim: <paramref name="released"/> are given back (listed in releases too), <paramref name="busy"/> remain.</summary>
    public void AnswerReclaim(ulong round, int busy, params string[] released)
    {
        var answer = new Reclaimed { Round = round, Busy = busy };
        answer.Released.AddRange(released);
        var message = new GatewayMessage { Reclaimed = { answer } };
        message.Releases.AddRange(released);
        Send(message);
    }

    /// <summary>The gateway's demand for one function; <paramref name="provisionedInFlight"/> is the part of <paramref name="inFlight"/> on provisioned environments.</summary>
    public void ReportDemand(FunctionId function, int inFlight, int waiting, long started, int provisionedInFlight = 0) =>
        Send(new GatewayMessage
        {
            Demand =
            {
                new Demand
                {
                    Function = ConcurrencyHarness.Ref(function),
                    InFlight = inFlight,
                    ProvisionedInFlight = provisionedInFlight,
                    Waiting = waiting,
                    Started = started,
                },
            },
        });

    /// <summary>The stream ended (what the service's reader does in its finally).</summary>
    public void Disconnect() => state.Disconnect(Session);

    /// <summary>What the controller's writer would send now.</summary>
    public ControllerMessage Take() => state.TakeOutbox(Session);
}
