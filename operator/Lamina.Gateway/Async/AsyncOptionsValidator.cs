using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Async;

/// <summary>Refuses async settings that could lose events, run nothing, or redeliver running ones.</summary>
internal sealed class AsyncOptionsValidator : IValidateOptions<AsyncOptions>
{
    public ValidateOptionsResult Validate(string? name, AsyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = AsyncOptions.Section;
        if (options.Enabled)
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(options.Redis);
            }
            catch (ArgumentException e)
            {
                // Never the password: this message is printed at start and may land in any log.
                failures.Add($"{section}:Redis: '{RedisSecrets.Redact(options.Redis)}' is not a Redis connection string ({RedisSecrets.Scrub(e.Message, options)})");
            }

            if (options.EventSigningKey.Length < AsyncOptions.MinimumSigningKeyLength)
            {
                // Fail closed: without a shared key a worker could not tell a stored event from a forged one.
                failures.Add($"{section}:EventSigningKey must be a secret of at least {AsyncOptions.MinimumSigningKeyLength} characters shared by every gateway (the chart generates one): events are signed with it and checked before they run");
            }
        }

        if (options.MaximumPayload < 1 || options.MaximumPayload > Invoke.InvokeHandler.MaximumPayload)
        {
            // The handler reads at most the synchronous limit of a body before it knows the invocation type.
            failures.Add($"{section}:MaximumPayload must be between 1 and {Invoke.InvokeHandler.MaximumPayload} bytes (the synchronous limit, up to which the gateway reads a body)");
        }

        if (options.MinReplicas < 0 || (options.MinReplicas > 0 && (options.ReplicaTimeout <= TimeSpan.Zero || options.ReplicaTimeout >= RedisConnection.CommandTimeout)))
        {
            failures.Add($"{section}:MinReplicas must be at least 0, and with replicas ReplicaTimeout positive and shorter than the command timeout ({RedisConnection.CommandTimeout.TotalSeconds} s)");
        }

        if (options.DeadLetterRetention <= TimeSpan.Zero)
        {
            failures.Add($"{section}:DeadLetterRetention must be positive");
        }

        if (options.MaxConcurrency < 1)
        {
            failures.Add($"{section}:MaxConcurrency must be at least 1: no event would ever run");
        }

        if (options.PollInterval <= TimeSpan.Zero || options.MoverInterval <= TimeSpan.Zero || options.SampleInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:PollInterval, MoverInterval and SampleInterval must be positive");
        }

        if (options.RefreshInterval <= TimeSpan.Zero || options.ClaimThreshold < options.RefreshInterval * 2)
        {
            failures.Add($"{section}:ClaimThreshold must be at least twice RefreshInterval (a positive interval): otherwise a running event is claimed by another worker and runs twice");
        }

        foreach (var delay in options.RetryDelays)
        {
            if (delay <= TimeSpan.Zero)
            {
                failures.Add($"{section}:RetryDelays must all be positive");
                break;
            }
        }

        if (options.SystemRetryDelay <= TimeSpan.Zero || options.MaxSystemRetryDelay < options.SystemRetryDelay)
        {
            failures.Add($"{section}:SystemRetryDelay must be positive and MaxSystemRetryDelay at least SystemRetryDelay");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
