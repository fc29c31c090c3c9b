using Microsoft.Extensions.Options;

namespace Lamina.Kubernetes.LeaderElection;

/// <summary>client-go's checks: the timings must leave a leader time to step down before its lease can be taken.</summary>
public sealed class LeaderElectionOptionsValidator : IValidateOptions<LeaderElectionOptions>
{
    /// <summary>client-go's JitterFactor: the renew deadline must exceed a retry period stretched by it.</summary>
    private const double RetryJitterFactor = 1.2;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LeaderElectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.Namespace) || string.IsNullOrEmpty(options.LeaseName))
        {
            failures.Add("Namespace and LeaseName are required");
        }

        if (string.IsNullOrEmpty(options.Identity))
        {
            failures.Add("Identity must not be empty");
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(1) || options.LeaseDuration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add("LeaseDuration must be a whole number of seconds, at least 1 (the Lease stores seconds)");
        }

        if (options.LeaseDuration <= options.RenewDeadline)
        {
            failures.Add("LeaseDuration must be greater than RenewDeadline");
        }

        if (options.RetryPeriod <= TimeSpan.Zero || options.RenewDeadline <= options.RetryPeriod * RetryJitterFactor)
        {
            failures.Add($"RenewDeadline must be greater than RetryPeriod × {RetryJitterFactor}, and RetryPeriod positive");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
