using Lamina.Gateway.Invoke;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Hosting;

/// <summary>Refuses limits that would refuse every request or leave a gateway unbounded.</summary>
internal sealed class GatewayServerOptionsValidator : IValidateOptions<GatewayServerOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string section = GatewayServerOptions.Section;
        var failures = new List<string>();
        if (options.MaxConcurrentConnections < 1)
        {
            failures.Add($"{section}:MaxConcurrentConnections must be at least 1");
        }

        if (options.MaxRequestHeadersTotalSize < 8 * 1024)
        {
            // A signed request with a full X-Amz-Client-Context needs about 5 KiB.
            failures.Add($"{section}:MaxRequestHeadersTotalSize must be at least 8192 bytes: a signed request with a client context needs about 5 KiB");
        }

        if (options.MaxRequestHeaderCount < 16)
        {
            failures.Add($"{section}:MaxRequestHeaderCount must be at least 16: an AWS SDK sends about a dozen headers");
        }

        if (options.RequestHeadersTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:RequestHeadersTimeout must be positive");
        }

        if (options.MinRequestBodyDataRate <= 0 || double.IsNaN(options.MinRequestBodyDataRate) || double.IsInfinity(options.MinRequestBodyDataRate))
        {
            failures.Add($"{section}:MinRequestBodyDataRate must be a positive number of bytes per second");
        }

        if (options.MinRequestBodyGracePeriod < TimeSpan.FromSeconds(1))
        {
            // Kestrel refuses a grace period under a second.
            failures.Add($"{section}:MinRequestBodyGracePeriod must be at least 1 s");
        }

        if (options.KeepAliveTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:KeepAliveTimeout must be positive");
        }

        if (options.BodyBufferBudgetBytes < InvokeHandler.MaximumPayload)
        {
            failures.Add($"{section}:BodyBufferBudgetBytes must be at least {InvokeHandler.MaximumPayload} bytes, one body of Lambda's maximum");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
