namespace Lamina.Kubernetes.LeaderElection;

/// <summary>What a <see cref="LeaderElector"/> calls as leadership comes and goes.</summary>
public sealed class LeaderElectionCallbacks
{
    /// <summary>
    /// Runs the leader's work once this replica leads; its token is cancelled when leadership
    /// ends (lost, or the elector stopped). If it throws, the replica steps down (a leader that no
    /// longer works must not keep the lease).
    /// </summary>
    public Func<CancellationToken, Task>? OnStartedLeading { get; init; }

    /// <summary>Called once leadership has ended and the work has returned.</summary>
    public Action? OnStoppedLeading { get; init; }

    /// <summary>Called with the holder's identity whenever a different leader is observed (this replica included).</summary>
    public Action<string>? OnNewLeader { get; init; }
}
