using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Code;

/// <summary>Refuses a code listener Kestrel cannot bind and a cache that would outlive tokens or hold nothing.</summary>
internal sealed class CodeEndpointOptionsValidator : IValidateOptions<CodeEndpointOptions>
{
    /// <summary>A projected token lives 10 min at least (the API's minimum expirationSeconds); a cached review must end well before.</summary>
    internal static readonly TimeSpan MaximumReviewCacheTtl = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, CodeEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string section = CodeEndpointOptions.Section;
        var failures = new List<string>();
        if (PortOf(options.Url) is null)
        {
            failures.Add($"{section}:Url must be an http URL with a port, like http://0.0.0.0:8085 (it is \"{options.Url}\")");
        }

        if (options.ReviewCacheTtl <= TimeSpan.Zero || options.ReviewCacheTtl > MaximumReviewCacheTtl)
        {
            failures.Add($"{section}:ReviewCacheTtl must be positive and at most {MaximumReviewCacheTtl.TotalMinutes} min: well within a projected token's 10 min minimum life");
        }

        if (options.ReviewCacheSize < 1)
        {
            failures.Add($"{section}:ReviewCacheSize must be at least 1");
        }

        if (options.KubernetesTimeout <= TimeSpan.Zero || options.KubernetesTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{section}:KubernetesTimeout must be positive and at most 1 min");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The port of a Kestrel http URL with an explicit port, or null.</summary>
    internal static int? PortOf(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var address = BindingAddress.Parse(url);
            var authority = url["http://".Length..].Split('/')[0];
            return address.Port is > 0 and <= 65535 && authority.LastIndexOf(':') > authority.LastIndexOf(']') ? address.Port : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
