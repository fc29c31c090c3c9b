using Lamina.Concurrency.V1;
using Lamina.Operator.Api;
using Lamina.Operator.Concurrency;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Operator.Tests.Concurrency;

/// <summary>
/// A <see cref="ConcurrencyState"/> on a manual clock, with what it asks of the world recorded (scale
/// calls, status notifications, scaling decisions) and gateways that talk to it as the gRPC service
/// does (<see cref="FakeGateway"/>), without a stream.
/// </summary>
internal sealed class ConcurrencyHarness
{
    public ConcurrencyHarness(ConcurrencyOptions? options = null)
    {
        Options = options ?? new ConcurrencyOptions();
        State = new ConcurrencyState(
            Options,
            Time,
            (id, replicas) => ScaleCalls.Add((id, replicas)),
            StatusChanges.Add,
            (id, decision) => Decisions.Add((id, decision)));
    }

    public FakeTimeProvider Time { get; } = new();

    public ConcurrencyOptions Options { get; }

    public ConcurrencyState State { get; }

    /// <summary>Every call of the scale callback: a function's new on-demand replicas.</summary>
    public List<(FunctionId Function, int Replicas)> ScaleCalls { get; } = [];

    /// <summary>Every status notification, in order.</summary>
    public List<FunctionId> StatusChanges { get; } = [];

    /// <summary>Every decision that changed a function's desired environments.</summary>
    public List<(FunctionId Function, ScaleEvent Decision)> Decisions { get; } = [];

    /// <summary>The address a pod's environment has in these tests.</summary>
    public static string AddressOf(string pod) => $"{pod}.pods.test:9001";

    public static FunctionRef Ref(FunctionId id) => new() { Namespace = id.Namespace, Name = id.Name };

    public static Acquire Ticket(FunctionId id, ulong ticket) => new() { Ticket = ticket, Function = Ref(id) };

    /// <summary>The on-demand replicas last asked for the function, or null if it was never scaled.</summary>
    public int? LastScale(FunctionId id)
    {
        int? last = null;
        foreach (var (function, replicas) in ScaleCalls)
        {
            if (function == id)
            {
                last = replicas;
            }
        }

        return last;
    }

    public void Function(FunctionId id, int? reserved = null, int provisioned = 0, TimeSpan? idleAfter = null, string? refused = null, int timeoutSeconds = FunctionDefaults.TimeoutSeconds) =>
        State.SetFunction(id, new FunctionLimits(reserved, provisioned, idleAfter ?? TimeSpan.FromSeconds(300), refused, timeoutSeconds));

    /// <summary>The pod's shim answers: it can take an invocation.</summary>
    public void Serve(FunctionId id, string pod, bool provisioned = false, string? uid = null) =>
        SetEnvironment(id, pod, serving: true, terminating: false, provisioned, uid);

    public void SetEnvironment(FunctionId id, string pod, bool serving, bool terminating, bool provisioned = false, string? uid = null) =>
        State.SetEnvironment(id, new EnvironmentInfo(pod, uid ?? pod + "-uid", AddressOf(pod), provisioned, serving, terminating));

    /// <summary>A gateway opens a stream with this Hello (the replica must lead).</summary>
    public FakeGateway Connect(string gatewayId, IEnumerable<Lease>? held = null, IEnumerable<Acquire>? pending = null, ulong firstTicket = 1)
    {
        var hello = new Hello { GatewayId = gatewayId };
        if (held is not null)
        {
            hello.Held.AddRange(held);
        }

        if (pending is not null)
        {
            hello.Pending.AddRange(pending);
        }

        var session = State.Connect(hello) ?? throw new InvalidOperationException("the state does not lead: call StartLeading first");
        return new FakeGateway(State, session, firstTicket);
    }

    public void Tick() => State.Tick();

    public void AdvanceAndTick(TimeSpan by)
    {
        Time.Advance(by);
        State.Tick();
    }
}
