using Lamina.Kubernetes.Client;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lamina.Kubernetes.LeaderElection;

/// <summary>
/// client-go's leader election on a <c>coordination.k8s.io/v1</c> Lease. A replica acquires the
/// Lease by creating it, or by taking it over once it is free or expired (its renewTime plus its
/// leaseDurationSeconds has passed by this replica's clock); it then renews every retry period,
/// steps down when it has not renewed for the renew deadline (well before the lease expires for
/// others), and on shutdown empties holderIdentity so that a successor need not wait for expiry.
/// Every write is a replace carrying the resourceVersion that was read, so of two replicas racing
/// for the Lease exactly one wins.
/// </summary>
public sealed partial class LeaderElector
{
    private readonly IKubernetesClient _client;
    private readonly LeaderElectionOptions _options;
    private readonly LeaderElectionCallbacks _callbacks;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<LeaderElector> _logger;
    private readonly int _leaseSeconds;

    // Touched by the single RunAsync loop only; read by the properties.
    private V1Lease? _observedLease;
    private volatile string? _observedHolder;
    private string? _reportedLeader;
    private volatile bool _isLeader;
    private DateTimeOffset _lastRenewal;
    private int _running;

    /// <summary>An elector for the Lease <paramref name="options"/> names; call <see cref="RunAsync"/>.</summary>
    public LeaderElector(IKubernetesClient client, IOptions<LeaderElectionOptions> options, LeaderElectionCallbacks callbacks, TimeProvider timeProvider, ILogger<LeaderElector> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(callbacks);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var validation = new LeaderElectionOptionsValidator().Validate(null, options.Value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(LeaderElectionOptions), typeof(LeaderElectionOptions), validation.Failures);
        }

        _client = client;
        _options = options.Value;
        _callbacks = callbacks;
        _timeProvider = timeProvider;
        _logger = logger;
        _leaseSeconds = (int)_options.LeaseDuration.TotalSeconds;
    }

    /// <summary>This replica's holderIdentity.</summary>
    public string Identity => _options.Identity;

    /// <summary>Whether this replica holds the Lease now (false once it stops renewing).</summary>
    public bool IsLeader => _isLeader;

    /// <summary>The holder last seen on the Lease, or null when nobody holds it.</summary>
    public string? Leader => _observedHolder;

    /// <summary>
    /// Campaigns until this replica leads, runs <see cref="LeaderElectionCallbacks.OnStartedLeading"/>
    /// and renews, and returns when leadership ends: lost, the work failed, or
    /// <paramref name="cancellationToken"/> fired (then the Lease is released when
    /// <see cref="LeaderElectionOptions.ReleaseOnCancel"/>). A replica that lost leadership should
    /// normally exit, as Kubernetes' own controllers do; calling this again campaigns anew.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("this elector is already running");
        }

        try
        {
            Log.Campaigning(_logger, _options.Namespace, _options.LeaseName, Identity);
            if (await AcquireAsync(cancellationToken).ConfigureAwait(false))
            {
                await LeadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task<bool> AcquireAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (await AttemptAsync(stop).ConfigureAwait(false) == Attempt.Held)
            {
                Log.Acquired(_logger, _options.Namespace, _options.LeaseName, Identity);
                return true;
            }

            try
            {
                await Task.Delay(_options.RetryPeriod, _timeProvider, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return false;
    }

    private async Task LeadAsync(CancellationToken stop)
    {
        _isLeader = true;
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(stop);
        // Cancelled by the work when it fails; disposed only after the work has returned.
        using var stepDown = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var work = Task.Run(() => RunWorkAsync(stepDown, leading.Token), CancellationToken.None);

        var end = await RenewUntilEndAsync(stepDown.Token, stop).ConfigureAwait(false);
        _isLeader = false;
        await leading.CancelAsync().ConfigureAwait(false);
        await work.ConfigureAwait(false); // never throws: RunWorkAsync logs

        if (end == LeadershipEnd.WorkFailed || (end == LeadershipEnd.Stopped && _options.ReleaseOnCancel))
        {
            await ReleaseAsync().ConfigureAwait(false);
        }

        Log.StoppedLeading(_logger, _options.Namespace, _options.LeaseName, Identity, end.ToString());
        Invoke(_callbacks.OnStoppedLeading, nameof(LeaderElectionCallbacks.OnStoppedLeading));
    }

    private async Task RunWorkAsync(CancellationTokenSource stepDown, CancellationToken leading)
    {
        if (_callbacks.OnStartedLeading is not { } work)
        {
            return;
        }

        try
        {
            await work(leading).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
            // Leadership ended and the work stopped, as asked.
        }
        catch (Exception e)
        {
            Log.WorkFailed(_logger, _options.Namespace, _options.LeaseName, e);
            await stepDown.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Renews every retry period until the deadline passes without a renewal, the Lease is taken, or <paramref name="token"/> fires.</summary>
    private async Task<LeadershipEnd> RenewUntilEndAsync(CancellationToken token, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await Task.Delay(_options.RetryPeriod, _timeProvider, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return stop.IsCancellationRequested ? LeadershipEnd.Stopped : LeadershipEnd.WorkFailed;
            }

            var remaining = _lastRenewal + _options.RenewDeadline - _timeProvider.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                Log.RenewDeadlinePassed(_logger, _options.Namespace, _options.LeaseName, _options.RenewDeadline);
                return LeadershipEnd.Lost;
            }

            // A renewal still running at the deadline is as good as failed.
            using var deadline = new CancellationTokenSource(remaining, _timeProvider);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token, deadline.Token);
            switch (await AttemptAsync(attempt.Token).ConfigureAwait(false))
            {
                case Attempt.Held:
                    continue;
                case Attempt.HeldByOther:
                    Log.LeaseTaken(_logger, _options.Namespace, _options.LeaseName, _observedHolder ?? "");
                    return LeadershipEnd.Lost;
                default:
                    if (token.IsCancellationRequested)
                    {
                        return stop.IsCancellationRequested ? LeadershipEnd.Stopped : LeadershipEnd.WorkFailed;
                    }

                    if (_timeProvider.GetUtcNow() - _lastRenewal >= _options.RenewDeadline)
                    {
                        Log.RenewDeadlinePassed(_logger, _options.Namespace, _options.LeaseName, _options.RenewDeadline);
                        return LeadershipEnd.Lost;
                    }

                    continue;
            }
        }
    }

    /// <summary>client-go's tryAcquireOrRenew: one read and at most one write.</summary>
    private async Task<Attempt> AttemptAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        try
        {
            V1Lease current;
            try
            {
                current = await _client.GetAsync<V1Lease>(_options.Namespace, _options.LeaseName, cancellationToken).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
                var created = await _client.CreateAsync(NewLease(now), cancellationToken).ConfigureAwait(false);
                Held(created, now);
                return Attempt.Held;
            }

            Observe(current);
            var spec = current.Spec ?? new V1LeaseSpec();
            var ours = spec.HolderIdentity == Identity;
            if (!ours && !string.IsNullOrEmpty(spec.HolderIdentity) && !IsExpired(spec, now))
            {
                Log.HeldByOther(_logger, _options.Namespace, _options.LeaseName, spec.HolderIdentity);
                return Attempt.HeldByOther;
            }

            // Renewing keeps acquireTime and leaseTransitions; taking over starts a new term.
            var desired = WithSpec(current, new V1LeaseSpec
            {
                HolderIdentity = Identity,
                LeaseDurationSeconds = _leaseSeconds,
                AcquireTime = ours ? spec.AcquireTime : now.UtcDateTime,
                RenewTime = now.UtcDateTime,
                LeaseTransitions = ours ? spec.LeaseTransitions : (spec.LeaseTransitions ?? 0) + 1,
            });
            // desired carries the resourceVersion read above: a concurrent writer makes this a Conflict.
            var updated = await _client.ReplaceAsync(desired, cancellationToken).ConfigureAwait(false);
            Held(updated, now);
            return Attempt.Held;
        }
        catch (Exception e)
        {
            // Whatever went wrong (API error, timeout, a broken connection), this attempt failed
            // and the loop decides what that means; the election itself must keep running.
            if (_isLeader)
            {
                Log.RenewFailed(_logger, _options.Namespace, _options.LeaseName, e);
            }
            else
            {
                Log.AcquireFailed(_logger, _options.Namespace, _options.LeaseName, e.Message);
            }

            return Attempt.Failed;
        }
    }

    /// <summary>client-go's release: an empty holder and a 1 s lease, keeping leaseTransitions.</summary>
    private async Task ReleaseAsync()
    {
        if (_observedLease is not { Spec: { } spec } lease || spec.HolderIdentity != Identity)
        {
            return;
        }

        var now = _timeProvider.GetUtcNow();
        var released = WithSpec(lease, new V1LeaseSpec
        {
            HolderIdentity = "",
            LeaseDurationSeconds = 1,
            AcquireTime = now.UtcDateTime,
            RenewTime = now.UtcDateTime,
            LeaseTransitions = spec.LeaseTransitions,
        });
        // The caller is shutting down: bounded, so a dead API server cannot hold the shutdown.
        using var timeout = new CancellationTokenSource(_options.RenewDeadline, _timeProvider);
        try
        {
            Observe(await _client.ReplaceAsync(released, timeout.Token).ConfigureAwait(false));
            Log.Released(_logger, _options.Namespace, _options.LeaseName, Identity);
        }
        catch (Exception e)
        {
            // Conflict: someone wrote the Lease since our last renewal, so it is no longer ours to release.
            Log.ReleaseFailed(_logger, _options.Namespace, _options.LeaseName, e);
        }
    }

    private V1Lease NewLease(DateTimeOffset now) => new()
    {
        Metadata = new V1ObjectMeta { Name = _options.LeaseName, NamespaceProperty = _options.Namespace },
        Spec = new V1LeaseSpec
        {
            HolderIdentity = Identity,
            LeaseDurationSeconds = _leaseSeconds,
            AcquireTime = now.UtcDateTime,
            RenewTime = now.UtcDateTime,
            LeaseTransitions = 0,
        },
    };

    /// <summary>A copy of <paramref name="lease"/> (same metadata, so same resourceVersion) with another spec; the observed Lease stays as read.</summary>
    private static V1Lease WithSpec(V1Lease lease, V1LeaseSpec spec) => new()
    {
        ApiVersion = lease.ApiVersion,
        Kind = lease.Kind,
        Metadata = lease.Metadata,
        Spec = spec,
    };

    private bool IsExpired(V1LeaseSpec spec, DateTimeOffset now)
    {
        if (spec.RenewTime is not { } renewed)
        {
            return true; // held by nobody we could wait for
        }

        var duration = spec.LeaseDurationSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : _options.LeaseDuration;
        // The library reads metav1.MicroTime as a UTC DateTime.
        return new DateTimeOffset(DateTime.SpecifyKind(renewed, DateTimeKind.Utc)) + duration <= now;
    }

    private void Held(V1Lease lease, DateTimeOffset attemptStart)
    {
        // The renewal counts from when it was sent: the Lease says renewTime = attemptStart.
        _lastRenewal = attemptStart;
        Observe(lease);
    }

    private void Observe(V1Lease lease)
    {
        _observedLease = lease;
        var holder = lease.Spec?.HolderIdentity;
        _observedHolder = string.IsNullOrEmpty(holder) ? null : holder;
        if (string.IsNullOrEmpty(holder) || holder == _reportedLeader)
        {
            return;
        }

        _reportedLeader = holder;
        Log.NewLeader(_logger, _options.Namespace, _options.LeaseName, holder);
        if (_callbacks.OnNewLeader is { } onNewLeader)
        {
            Invoke(() => onNewLeader(holder), nameof(LeaderElectionCallbacks.OnNewLeader));
        }
    }

    private void Invoke(Action? callback, string name)
    {
        try
        {
            callback?.Invoke();
        }
        catch (Exception e)
        {
            // A callback's failure is logged; it must not break the election.
            Log.CallbackFailed(_logger, name, e);
        }
    }

    private enum Attempt
    {
        Held,
        HeldByOther,
        Failed,
    }

    private enum LeadershipEnd
    {
        Lost,
        Stopped,
        WorkFailed,
    }
}
