using System.Globalization;
using Lamina.Concurrency.V1;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// One function as the controller's state holds it (its limits, environments, leases, waiting tickets,
/// reclaim round and scaling figures) and the arithmetic that needs nothing but the function itself:
/// how many environments are ready, how many leases it occupies, which environment is free, whether
/// it can be served at all, its scaling floor and cap. What needs other functions (the pool share) or
/// the gateways stays in <see cref="ConcurrencyState"/>. Not thread-safe: used only under its lock.
/// </summary>
internal sealed class FunctionEntry(FunctionId id, FunctionAutoscaler autoscaler)
{
    public FunctionId Id { get; } = id;

    public FunctionAutoscaler Autoscaler { get; } = autoscaler;

    public FunctionLimits Limits { get; set; } = new(null, 0, TimeSpan.FromSeconds(300));

    public bool Exists { get; set; }

    public string? Failure { get; set; }

    public Dictionary<string, EnvironmentEntry> Environments { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Leases { get; } = new(StringComparer.Ordinal);

    public LinkedList<Ticket> Pending { get; } = new();

    public ReclaimRound? Round { get; set; }

    /// <summary>The newest ticket when the last reclaim round started: tickets up to it were already asked for.</summary>
    public long LastRoundTicket { get; set; }

    public DateTimeOffset? LastActivity { get; set; }

    public bool Decided { get; set; }

    public int Desired { get; set; }

    public int OnDemandReplicas { get; set; }

    public ScaleEvent? LastScale { get; set; }

    public int ReportedInFlight { get; set; }

    /// <summary>Of <see cref="ReportedInFlight"/>, those on provisioned environments (gateways that predate the field report 0).</summary>
    public int ReportedProvisionedInFlight { get; set; }

    public int PublishedBusy { get; set; }

    /// <summary>True when the function has no reservation and shares the unreserved pool.</summary>
    public bool Unreserved => Limits.Reserved is null;

    /// <summary>Invocations running now, as the gateways last reported (leases may be idle; these are not).</summary>
    public int Busy => ReportedInFlight;

    /// <summary>Environments every lease and every waiting ticket would need now.</summary>
    public int Wanted => Leases.Count + Pending.Count;

    /// <summary>The environments kept however idle: its provisioned concurrency, unless the pool refused its reservation.</summary>
    public int Floor => Limits.Refused is null ? Limits.Provisioned : 0;

    /// <summary>Nothing refers to it any more: the Function is gone and so are its pods, leases and tickets.</summary>
    public bool Forgettable => !Exists && Environments.Count == 0 && Leases.Count == 0 && Pending.Count == 0;

    /// <summary>Environments that can take an invocation now, and of them those of provisioned concurrency.</summary>
    public (int Ready, int ProvisionedReady) CountReady()
    {
        var ready = 0;
        var provisionedReady = 0;
        foreach (var environment in Environments.Values)
        {
            if (environment.Ready)
            {
                ready++;
                if (environment.Info.Provisioned)
                {
                    provisionedReady++;
                }
            }
        }

        return (ready, provisionedReady);
    }

    /// <summary>
    /// Leases, plus while learning the environments an earlier leader may have leased to a gateway that
    /// has not said hello yet: those that served before this replica led and carry no adopted lease.
    /// </summary>
    public int Occupied(bool learning)
    {
        var occupied = Leases.Count;
        if (learning)
        {
            foreach (var environment in Environments.Values)
            {
                if (environment.Lease is null && environment.Known)
                {
                    occupied++;
                }
            }
        }

        return occupied;
    }

    /// <summary>
    /// A ready environment with an address that nobody leases (while learning, none an earlier leader
    /// may have leased): provisioned ones first (they are what provisioned concurrency is for).
    /// </summary>
    public EnvironmentEntry? FreeEnvironment(bool learning)
    {
        EnvironmentEntry? onDemand = null;
        foreach (var environment in Environments.Values)
        {
            if (environment.Lease is not null || !environment.Ready || environment.Info.Address is null || (learning && environment.Known))
            {
                continue;
            }

            if (environment.Info.Provisioned)
            {
                return environment;
            }

            onDemand ??= environment;
        }

        return onDemand;
    }

    /// <summary>Why no ticket of the function can be served at all, or null.</summary>
    public (RefusalReason Reason, string Message)? Unservable()
    {
        if (!Exists)
        {
            return (RefusalReason.UnknownFunction, $"Function not found: {Id}");
        }

        if (Limits.Refused is { } refused)
        {
            return (RefusalReason.FunctionFailed, refused);
        }

        if (Limits.Reserved == 0)
        {
            return (RefusalReason.ReservedLimitExceeded, ThrottleMessage(RefusalReason.ReservedLimitExceeded));
        }

        if (Failure is { } failure && CountReady().Ready == 0)
        {
            return (RefusalReason.FunctionFailed, $"Function {Id} cannot start an execution environment: {failure}");
        }

        return null;
    }

    /// <summary>The refusal's message for a ticket beyond the function's cap.</summary>
    public string ThrottleMessage(RefusalReason reason) => reason == RefusalReason.ReservedLimitExceeded
        ? string.Create(CultureInfo.InvariantCulture, $"Rate Exceeded. Function {Id} is at its reserved concurrency ({Limits.Reserved}).")
        : "Rate Exceeded. The cluster's unreserved concurrency is in use.";

    /// <summary>The most environments the autoscaler may ask for, given the pool's room for unreserved functions.</summary>
    public int ScaleCap(int unreservedCapacity) => Limits.Refused is not null ? 0 : Limits.Reserved ?? Math.Max(Floor, unreservedCapacity);

    /// <summary>Replicas of the on-demand Deployment for <paramref name="desired"/> environments: the provisioned ones are the other Deployment's.</summary>
    public int OnDemandFor(int desired) => Math.Max(0, desired - Floor);

    /// <summary>Removes the gateway's ticket <paramref name="ticket"/>; false when it is not waiting here.</summary>
    public bool RemoveTicket(GatewaySession session, ulong ticket)
    {
        for (var node = Pending.First; node is not null; node = node.Next)
        {
            if (node.Value.Session == session && node.Value.Id == ticket)
            {
                Pending.Remove(node);
                return true;
            }
        }

        return false;
    }

    /// <summary>Forgets the session's waiting tickets and stops waiting for its reclaim answer; true when that changed anything.</summary>
    public bool ForgetSession(GatewaySession session)
    {
        var removed = false;
        for (var node = Pending.First; node is not null;)
        {
            var following = node.Next;
            if (node.Value.Session == session)
            {
                Pending.Remove(node);
                removed = true;
            }

            node = following;
        }

        if (Round is { } round && round.Waiting.Remove(session))
        {
            removed = true;
        }

        return removed;
    }

    /// <summary>A new leadership: no lease, ticket or round survives; environments that serve now may have been leased by an earlier leader.</summary>
    public void ForgetLeadership()
    {
        Leases.Clear();
        Pending.Clear();
        Round = null;
        foreach (var environment in Environments.Values)
        {
            environment.Lease = null;
            environment.Known = environment.Info.Serving;
        }
    }

    /// <summary>The figures the reconciler writes into the Function's status.</summary>
    public FunctionScale ToScale()
    {
        var (ready, provisionedReady) = CountReady();
        return new FunctionScale(OnDemandReplicas, Desired, ready, Busy, provisionedReady, LastScale);
    }

    /// <summary>The figures for the controller's gauges.</summary>
    public FunctionGauges ToGauges()
    {
        var (ready, provisionedReady) = CountReady();
        return new FunctionGauges(Id, Limits.Reserved, Busy, Leases.Count, ready, Desired, Environments.Count, provisionedReady,
            ReportedProvisionedInFlight, Limits.Provisioned, Limits.TimeoutSeconds);
    }
}
