using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.LeaderElection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lamina.Integration.Tests.Kubernetes;

/// <summary>
/// One operator replica campaigning for a Lease on the real API server, with the test's short
/// timings. Counts, across the replicas sharing one <see cref="LeaderElectionConcurrency"/>, how many lead at once.
/// </summary>
internal sealed class LeaderElectionReplica : IAsyncDisposable
{
    // client-go's defaults are 15 s / 10 s / 2 s; a fifth of them keeps the ratios (the renew
    // deadline well inside the lease, several retries per deadline) and the tests short.
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _stop = new();
    private readonly LeaderElectionConcurrency _leaders;
    private Task? _run;
    private int _stoppedLeading;

    public LeaderElectionReplica(IKubernetesClient client, string ns, string lease, string identity, LeaderElectionConcurrency leaders, bool releaseOnCancel = true)
    {
        _leaders = leaders;
        Elector = new LeaderElector(client, Options.Create(new LeaderElectionOptions
        {
            Namespace = ns,
            LeaseName = lease,
            Identity = identity,
            LeaseDuration = LeaseDuration,
            RenewDeadline = RenewDeadline,
            RetryPeriod = RetryPeriod,
            ReleaseOnCancel = releaseOnCancel,
        }), new LeaderElectionCallbacks
        {
            OnStartedLeading = LeadAsync,
            OnStoppedLeading = () => Interlocked.Increment(ref _stoppedLeading),
        }, TimeProvider.System, NullLogger<LeaderElector>.Instance);
    }

    public LeaderElector Elector { get; }

    public bool StoppedLeading => Volatile.Read(ref _stoppedLeading) > 0;

    public void Start() => _run = Elector.RunAsync(_stop.Token);

    /// <summary>Stops the replica: it releases the Lease unless it was made without release (a crash).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task LeadAsync(CancellationToken leading)
    {
        _leaders.Enter();
        try
        {
            await Task.Delay(Timeout.Infinite, leading);
        }
        finally
        {
            _leaders.Leave();
        }
    }
}
