using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Hosting;

/// <summary>Refuses a stop that could not drain: a negative delay, or a timeout with no room after it.</summary>
internal sealed class GatewayShutdownOptionsValidator : IValidateOptions<GatewayShutdownOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayShutdownOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string section = GatewayShutdownOptions.Section;
        var failures = new List<string>();
        if (options.DrainDelay < TimeSpan.Zero)
        {
            failures.Add($"{section}:DrainDelay must not be negative");
        }

        if (options.Timeout < options.DrainDelay + GatewayShutdownOptions.ReleaseAllowance + TimeSpan.FromSeconds(1))
        {
            failures.Add($"{section}:Timeout ({options.Timeout}) must be at least DrainDelay ({options.DrainDelay}) + {GatewayShutdownOptions.ReleaseAllowance.TotalSeconds:0} s for the leases' release + 1 s for invocations to finish");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
