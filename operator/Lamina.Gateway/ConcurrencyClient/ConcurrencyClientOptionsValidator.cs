using Microsoft.Extensions.Options;

namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>Rejects controller options that could never connect, or would spin.</summary>
internal sealed class ConcurrencyClientOptionsValidator : IValidateOptions<ConcurrencyClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ConcurrencyClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Address is { } address
            && !(Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/"))
        {
            failures.Add($"Address must be an absolute http:// URI without a path (the controller serves plaintext HTTP/2), not '{address}'");
        }

        if (string.IsNullOrWhiteSpace(options.LeaseName))
        {
            failures.Add("LeaseName must name the operator's Lease");
        }

        Positive(options.IdleRelease, nameof(options.IdleRelease), failures);
        Positive(options.DemandInterval, nameof(options.DemandInterval), failures);
        Positive(options.ConnectTimeout, nameof(options.ConnectTimeout), failures);
        if (options.ReconnectDelay <= TimeSpan.Zero || options.MaxReconnectDelay < options.ReconnectDelay)
        {
            failures.Add("ReconnectDelay must be positive and MaxReconnectDelay at least ReconnectDelay");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(TimeSpan value, string name, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{name} must be positive");
        }
    }
}
