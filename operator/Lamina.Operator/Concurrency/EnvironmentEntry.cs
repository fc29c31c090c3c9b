namespace Lamina.Operator.Concurrency;

/// <summary>One of a function's environments (pods) as the controller's state holds it: what the tracker saw, and its lease.</summary>
internal sealed class EnvironmentEntry(EnvironmentInfo info)
{
    public EnvironmentInfo Info { get; set; } = info;

    /// <summary>The id of the lease on it, or null when no gateway holds it.</summary>
    public string? Lease { get; set; }

    /// <summary>It existed when this replica started leading: an earlier leader may have leased it.</summary>
    public bool Known { get; set; }

    /// <summary>It can take an invocation now: its shim answers and it is not terminating.</summary>
    public bool Ready => Info is { Serving: true, Terminating: false };
}
