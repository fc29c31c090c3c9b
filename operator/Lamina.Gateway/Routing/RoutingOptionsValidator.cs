using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Routing;

/// <summary>Rejects routing options that would throttle everything, hang, or cut invocations short.</summary>
internal sealed class RoutingOptionsValidator : IValidateOptions<RoutingOptions>
{
    /// <summary>Lambda's longest function timeout: no shim call may be cut shorter.</summary>
    private static readonly TimeSpan LongestFunctionTimeout = TimeSpan.FromSeconds(900);

    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.QueueSize < 1)
        {
            failures.Add("QueueSize must be at least 1: an invocation that finds no idle environment waits in the queue for its lease");
        }

        if (options.QueueTimeout <= TimeSpan.Zero)
        {
            failures.Add("QueueTimeout must be positive");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add("ConnectTimeout must be positive");
        }

        if (options.InvocationTimeout < LongestFunctionTimeout)
        {
            failures.Add($"InvocationTimeout must be at least {LongestFunctionTimeout.TotalSeconds:0} s, Lambda's longest function timeout");
        }

        if (options.RetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay)
        {
            failures.Add("RetryDelay must be positive and MaxRetryDelay at least RetryDelay");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
